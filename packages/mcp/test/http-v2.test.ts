import { createServer } from 'node:http';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardMcpHandler, mcpAuthChallenge } from '../src/index.js';
import {
  call,
  contract,
  httpChallenges,
  recordingFetch,
  type Seen,
  type TestClient,
} from './contract.js';
import { TOKENS, createTestGuard, createTestTools } from './fixtures/guard.js';
import { listenLocal, type Listening } from './fixtures/http.js';
import { buildServerV2 } from './fixtures/servers.js';

const RESOURCE_METADATA = 'http://127.0.0.1/.well-known/oauth-protected-resource/mcp';

async function connectTo(
  url: string,
  token: string | undefined,
  seen: Seen[] = [],
  modern = false,
) {
  const client = new Client(
    { name: 'test-client', version: '1.0.0' },
    modern ? { versionNegotiation: { mode: 'auto' } } : {},
  );
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
    fetch: recordingFetch(seen),
  });
  await client.connect(transport);
  return client as unknown as TestClient;
}

describe('2.x SDK over Streamable HTTP (guardMcpHandler + createMcpHandler)', () => {
  const { guard, approvals, audit } = createTestGuard();
  const tools = createTestTools(guard);
  const handler = guardMcpHandler(
    createMcpHandler(() => buildServerV2(guard, tools)),
    guard,
    { resourceMetadataUrl: RESOURCE_METADATA },
  );
  const toNode = toNodeHandler(handler);
  const server = createServer((req, res) => void toNode(req as never, res));
  let listening: Listening | undefined;
  let url = '';
  beforeAll(async () => {
    listening = await listenLocal(server, () => handler.close());
    url = listening.url;
  });
  afterAll(async () => {
    await listening?.close();
  });

  contract((token) => connectTo(url, token), { approvals: (id) => approvals.approve(id) });

  it('serves a 2026-07-28 (modern era) client: JSON responses, same guard, same challenge', async () => {
    const seen: Seen[] = [];
    const client = await connectTo(url, TOKENS.viewer, seen, true);
    try {
      const result = await call(client, 'crm.get_customer', { id: 'c-9' });
      expect(result.structuredContent).toMatchObject({ id: 'c-9', by: 'viewer-1' });
      const forbidden = await call(client, 'crm.delete_customer', { id: 'c-9' });
      expect(forbidden.structuredContent).toMatchObject({ code: 'forbidden' });
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('admin.export');
    } finally {
      await client.close();
    }
    const admin = await connectTo(url, TOKENS.admin, seen, true);
    try {
      await expect(admin.callTool({ name: 'admin.export', arguments: {} })).rejects.toThrow();
      expect(seen.find((s) => s.status === 401)?.wwwAuthenticate).toContain(
        'error="insufficient_user_authentication"',
      );
    } finally {
      await admin.close();
    }
  });

  httpChallenges(
    (token, seen) => connectTo(url, token, seen),
    () => url,
    {
      resourceMetadataUrl: RESOURCE_METADATA,
      guard,
      audit,
    },
  );
});

describe('2.x SDK with the node middleware (mcpAuthChallenge + toNodeHandler)', () => {
  const { guard } = createTestGuard();
  const tools = createTestTools(guard);
  const handler = createMcpHandler(() => buildServerV2(guard, tools));
  const toNode = toNodeHandler(handler);
  const gate = mcpAuthChallenge(guard);
  const server = createServer((req, res) => {
    gate(req, res, () => void toNode(req as never, res));
  });
  let listening: Listening | undefined;
  let url = '';
  beforeAll(async () => {
    listening = await listenLocal(server, () => handler.close());
    url = listening.url;
  });
  afterAll(async () => {
    await listening?.close();
  });

  it('passes the verified token to tool handlers through req.auth', async () => {
    const client = await connectTo(url, TOKENS.viewer);
    try {
      const result = (await client.callTool({ name: 'whoami', arguments: {} })) as {
        content: { text: string }[];
      };
      expect(result.content[0]!.text).toBe('viewer-1');
    } finally {
      await client.close();
    }
    const missing = await fetch(url, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
  });
});
