import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardMcpHandler } from '../src/index.js';
import { contract, type TestClient } from './contract.js';
import { TOKENS, createTestGuard, createTestTools } from './fixtures/guard.js';
import { buildServerV1 } from './fixtures/servers.js';

// The 1.x SDK's Node transport writes its response itself, so it cannot turn a step-up into an
// HTTP status; its web-standard transport returns a Response, which guardMcpHandler can. This
// is the 1.x way to get the RFC 9470 / RFC 6750 step-up challenges over HTTP.

const RESOURCE_METADATA = 'http://127.0.0.1/.well-known/oauth-protected-resource/mcp';

interface Seen {
  status: number;
  wwwAuthenticate: string | null;
}

async function connectTo(url: string, token: string, seen: Seen[] = []): Promise<TestClient> {
  const client = new Client({ name: 'test-client-v1-web', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        seen.push({
          status: response.status,
          wwwAuthenticate: response.headers.get('www-authenticate'),
        });
        return response;
      },
    }),
  );
  return client;
}

describe('1.x SDK over Streamable HTTP (guardMcpHandler + WebStandardStreamableHTTPServerTransport)', () => {
  const { guard, approvals, audit } = createTestGuard();
  const tools = createTestTools(guard);
  // Stateless: one server and transport per request, the 1.x idiom.
  const handler = guardMcpHandler(
    {
      async fetch(request, options) {
        const mcp = buildServerV1(guard, tools);
        const transport = new WebStandardStreamableHTTPServerTransport({});
        await mcp.connect(transport);
        return transport.handleRequest(request, options);
      },
    },
    guard,
    { resourceMetadataUrl: RESOURCE_METADATA },
  );
  const toNode = toNodeHandler(handler);
  const server: Server = createServer((req, res) => void toNode(req as never, res));
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  contract((token) => connectTo(url, token), { approvals: (id) => approvals.approve(id) });

  it('answers a missing or bad token with 401 and a Bearer challenge before MCP runs', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const missing = await fetch(url, { method: 'POST', body, headers });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe(
      `Bearer realm="mcp", resource_metadata="${RESOURCE_METADATA}"`,
    );
    const bad = await fetch(url, {
      method: 'POST',
      body,
      headers: { ...headers, authorization: 'Bearer not-a-token' },
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await bad.text()).not.toContain('not-a-token');
  });

  it('answers a step-up rejection with 401 insufficient_user_authentication (RFC 9470)', async () => {
    const seen: Seen[] = [];
    const client = await connectTo(url, TOKENS.admin, seen);
    try {
      await expect(client.callTool({ name: 'admin.export', arguments: {} })).rejects.toThrow();
      expect(seen.find((s) => s.status === 401)?.wwwAuthenticate).toBe(
        `Bearer realm="mcp", resource_metadata="${RESOURCE_METADATA}", ` +
          'error="insufficient_user_authentication", ' +
          'error_description="stronger authentication required", acr_values="mfa", max_age=300',
      );
    } finally {
      await client.close();
    }
    const mfa = await connectTo(url, TOKENS.adminMfa);
    try {
      const ok = (await mfa.callTool({ name: 'admin.export', arguments: {} })) as {
        content: { text: string }[];
      };
      expect(ok.content[0]!.text).toBe('export started');
    } finally {
      await mfa.close();
    }
  });

  it('audits every call, rejections included, and never a token', async () => {
    await guard.flush();
    const outcomes = new Set(audit.events.map((e) => e.code ?? e.outcome));
    for (const code of ['allowed', 'forbidden', 'invalid_input', 'step_up_required']) {
      expect(outcomes).toContain(code);
    }
    expect(JSON.stringify(audit.events)).not.toContain(TOKENS.admin);
  });
});
