import { createServer, type Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpAuthChallenge } from '../src/index.js';
import { call, contract, type TestClient } from './contract.js';
import { TOKENS, createTestGuard, createTestTools } from './fixtures/guard.js';
import { listenLocal, type Listening } from './fixtures/http.js';
import { buildServerV1 } from './fixtures/servers.js';

async function connectTo(url: string, token: string): Promise<TestClient> {
  const client = new Client({ name: 'test-client-v1', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

describe('1.x SDK over Streamable HTTP (mcpAuthChallenge + StreamableHTTPServerTransport)', () => {
  const { guard, approvals } = createTestGuard();
  const tools = createTestTools(guard);
  const gate = mcpAuthChallenge(guard, {
    realm: 'crm',
    resourceMetadataUrl: 'http://127.0.0.1/.well-known/oauth-protected-resource',
  });
  // Stateless: one server and transport per request, the 1.x idiom.
  const server: Server = createServer((req, res) => {
    gate(req, res, (error) => {
      if (error) {
        res.writeHead(500).end();
        return;
      }
      const mcp = buildServerV1(guard, tools);
      const transport = new StreamableHTTPServerTransport({});
      res.on('close', () => {
        void transport.close();
        void mcp.close();
      });
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    });
  });
  let listening: Listening | undefined;
  let url = '';
  beforeAll(async () => {
    listening = await listenLocal(server);
    url = listening.url;
  });
  afterAll(async () => {
    await listening?.close();
  });

  contract((token) => connectTo(url, token), { approvals: (id) => approvals.approve(id) });

  it('answers a bad token with 401 and the RFC 6750 / RFC 9728 challenge', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer forged', 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="crm", resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource", ' +
        'error="invalid_token", error_description="invalid token"',
    );
    expect(await response.json()).toMatchObject({ code: 'unauthenticated', status: 401 });
    await expect(connectTo(url, 'forged')).rejects.toThrow();
  });

  it('carries the step-up challenge in the tool result', async () => {
    const client = await connectTo(url, TOKENS.admin);
    try {
      const result = await call(client, 'admin.export', {});
      expect(result.structuredContent).toMatchObject({
        code: 'step_up_required',
        challenge: { acrValues: ['mfa'], maxAge: 300 },
      });
    } finally {
      await client.close();
    }
  });
});
