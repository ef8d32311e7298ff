import { createServer } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { afterAll, beforeAll, describe } from 'vitest';
import { guardMcpHandler } from '../src/index.js';
import {
  contract,
  httpChallenges,
  recordingFetch,
  type Seen,
  type TestClient,
} from './contract.js';
import { createTestGuard, createTestTools } from './fixtures/guard.js';
import { listenLocal, type Listening } from './fixtures/http.js';
import { buildServerV1 } from './fixtures/servers.js';

// The 1.x SDK's Node transport writes its response itself, so it cannot turn a step-up into an
// HTTP status; its web-standard transport returns a Response, which guardMcpHandler can. This
// is the 1.x way to get the RFC 9470 / RFC 6750 step-up challenges over HTTP.

const RESOURCE_METADATA = 'http://127.0.0.1/.well-known/oauth-protected-resource/mcp';

async function connectTo(url: string, token: string, seen: Seen[] = []): Promise<TestClient> {
  const client = new Client({ name: 'test-client-v1-web', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
      fetch: recordingFetch(seen),
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
  const server = createServer((req, res) => void toNode(req as never, res));
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
