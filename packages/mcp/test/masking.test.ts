import { createServer } from 'node:http';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { allowAllAccess, anonymousAuthenticator, createGuard } from '@agentguard/core';
import { createMasker } from '@agentguard/masking';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { guardMcpHandler, registerGuardedTool } from '../src/index.js';
import { listenLocal, type Listening } from './fixtures/http.js';

// The masker runs on what the handler returns, before it becomes a tool result: text blocks,
// embedded resources and structured content all leave masked.
const guard = createGuard({
  authenticator: anonymousAuthenticator(),
  accessControl: allowAllAccess(),
  masker: createMasker({ strategies: { CREDIT_CARD: { type: 'partial', keepLast: 4 } } }),
});
const tool = guard('crm.export', { input: z.object({}), operation: 'read' }, () => ({
  content: [
    { type: 'text' as const, text: 'Reach Ada at ada@example.com or +44 20 7946 0958.' },
    {
      type: 'resource' as const,
      resource: {
        uri: 'crm://customers/ada',
        mimeType: 'application/json',
        text: JSON.stringify({ email: 'ada@example.com', card: '4111 1111 1111 1111' }),
      },
    },
  ],
  structuredContent: { email: 'ada@example.com', iban: 'DE89 3704 0044 0532 0130 00' },
}));

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'masking-test', version: '1.0.0' });
  registerGuardedTool(server, guard, tool);
  return server;
});
const http = createServer(
  (req, res) => void toNodeHandler(guardMcpHandler(handler, guard))(req as never, res),
);
let client: Client;

let listening: Listening | undefined;

beforeAll(async () => {
  listening = await listenLocal(http, () => handler.close());
  client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(listening.url)));
});
afterAll(async () => {
  await client.close();
  await listening?.close();
});

describe('masking through the MCP adapter', () => {
  it('masks text content, embedded resources and structured content', async () => {
    const result = (await client.callTool({ name: 'crm.export', arguments: {} })) as {
      content: (
        { type: 'text'; text: string } | { type: 'resource'; resource: { text: string } }
      )[];
      structuredContent: Record<string, unknown>;
    };
    const wire = JSON.stringify(result);
    expect(wire).not.toContain('ada@example.com');
    expect(wire).not.toContain('4111 1111 1111 1111');
    expect(wire).not.toContain('7946 0958');
    expect(result.content[0]).toEqual({ type: 'text', text: 'Reach Ada at [EMAIL] or [PHONE].' });
    const resource = result.content[1] as { resource: { text: string } };
    expect(JSON.parse(resource.resource.text)).toEqual({
      email: '[EMAIL]',
      card: '**** **** **** 1111',
    });
    expect(result.structuredContent).toEqual({ email: '[EMAIL]', iban: '[IBAN]' });
  });
});
