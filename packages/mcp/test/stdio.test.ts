import { fileURLToPath } from 'node:url';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';
import { describe, expect, it } from 'vitest';
import { call, contract, type TestClient } from './contract.js';
import { TOKENS } from './fixtures/guard.js';

const fixture = fileURLToPath(new URL('./fixtures/stdio-server.ts', import.meta.url));
const cwd = fileURLToPath(new URL('..', import.meta.url));

function serverParams(sdk: '1' | '2', token: string | undefined) {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', SDK: sdk };
  if (token !== undefined) env['AGENT_TOKEN'] = token;
  return {
    command: process.execPath,
    args: ['--conditions=@agentguard/source', '--import', 'tsx', fixture],
    env,
    cwd,
    stderr: 'pipe' as const,
  };
}

const connectors = {
  '1.x': async (token: string | undefined): Promise<TestClient> => {
    const client = new ClientV1({ name: 'stdio-v1', version: '1.0.0' });
    await client.connect(new StdioV1(serverParams('1', token)));
    return client;
  },
  '2.x': async (token: string | undefined): Promise<TestClient> => {
    const client = new ClientV2({ name: 'stdio-v2', version: '1.0.0' });
    await client.connect(new StdioV2(serverParams('2', token)));
    return client;
  },
};

for (const [major, connect] of Object.entries(connectors)) {
  describe(`${major} SDK over stdio (token from the server's environment)`, () => {
    contract(connect);

    it('refuses everything when the environment holds no token', async () => {
      const client = await connect(undefined);
      try {
        await expect(client.listTools()).rejects.toThrow(/authentication required/);
        const result = await call(client, 'crm.get_customer', { id: 'c-1' });
        expect(result.structuredContent).toMatchObject({ code: 'unauthenticated' });
      } finally {
        await client.close();
      }
    });

    it('carries the step-up challenge in the tool result', async () => {
      const client = await connect(TOKENS.admin);
      try {
        const result = await call(client, 'admin.export', {});
        expect(result.isError).toBe(true);
        expect(result.structuredContent).toMatchObject({
          code: 'step_up_required',
          challenge: { acrValues: ['mfa'], maxAge: 300 },
        });
      } finally {
        await client.close();
      }
    });
  });
}
