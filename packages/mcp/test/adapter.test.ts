import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import {
  ForbiddenError,
  GuardConfigError,
  RateLimitedError,
  allowAllAccess,
  anonymousAuthenticator,
  createGuard,
} from '@agentguard/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { guardServer, registerGuardedTool, toToolResult, toolErrorResult } from '../src/index.js';

function openGuard() {
  return createGuard({ authenticator: anonymousAuthenticator(), accessControl: allowAllAccess() });
}

describe('guardServer configuration', () => {
  it('refuses a server that already has unguarded tools', () => {
    const server = new McpServer({ name: 's', version: '1' });
    server.registerTool('plain', { inputSchema: z.object({}) }, () => ({ content: [] }));
    expect(() => guardServer(server, openGuard())).toThrow(GuardConfigError);
  });

  it('accepts tools registered through registerGuardedTool before it', () => {
    const guard = openGuard();
    const server = new McpServerV1({ name: 's', version: '1' });
    registerGuardedTool(server, guard, {
      name: 'a',
      input: z.object({}),
      operation: 'read',
      handler: () => 'a',
    });
    expect(() => guardServer(server, guard)).not.toThrow();
  });

  it('refuses a second registration of a name with another schema, accepts the same one', () => {
    const guard = openGuard();
    const register = (schema: z.ZodType) => {
      const server = guardServer(new McpServer({ name: 's', version: '1' }), guard);
      server.registerTool('t', { inputSchema: schema as z.ZodObject }, () => ({ content: [] }));
    };
    register(z.object({ id: z.string() }));
    expect(() => register(z.object({ id: z.string() }))).not.toThrow();
    expect(() => register(z.object({ id: z.number() }))).toThrow(/another input schema/);
  });

  it('refuses a tool made by another guard and a non-object input schema', () => {
    const other = openGuard()('x', { input: z.object({}), operation: 'read' }, () => 1);
    const server = new McpServer({ name: 's', version: '1' });
    expect(() => registerGuardedTool(server, openGuard(), other)).toThrow(/not made by this guard/);
    const scalar = openGuard()('y', { input: z.string(), operation: 'read' }, () => 1);
    expect(() => registerGuardedTool(server, openGuard(), scalar)).toThrow(GuardConfigError);
  });
});

describe('guardServer at run time (2.x, in memory)', () => {
  it('derives the operation from annotations and guards tools without an input schema', async () => {
    const guard = openGuard();
    const server = guardServer(new McpServer({ name: 's', version: '1' }), guard);
    server.registerTool(
      'remove',
      { inputSchema: z.object({ id: z.string() }), annotations: { destructiveHint: true } },
      ({ id }) => ({ content: [{ type: 'text', text: id }] }),
    );
    server.registerTool('write', {}, () => ({ content: [{ type: 'text', text: 'w' }] }));
    expect(guard.tools.get('remove')?.operation).toBe('delete');
    expect(guard.tools.get('write')?.operation).toBe('write');

    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(clientSide);
    try {
      const removed = await client.callTool({ name: 'remove', arguments: { id: 'r-1' } });
      expect(removed.content).toEqual([{ type: 'text', text: 'r-1' }]);
      const noArgs = await client.callTool({ name: 'write', arguments: {} });
      expect(noArgs.content).toEqual([{ type: 'text', text: 'w' }]);
      const extra = await client.callTool({ name: 'write', arguments: { x: 1 } });
      expect(extra.isError).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('results', () => {
  it('passes CallToolResults through and wraps other values', () => {
    const own = { content: [{ type: 'text', text: 'hi' }], _meta: { mine: 1 } };
    expect(toToolResult(own, 'd-1')).toEqual({
      ...own,
      _meta: { mine: 1, 'agentguard/decisionId': 'd-1' },
    });
    expect(toToolResult([1, 2])).toEqual({ content: [{ type: 'text', text: '[1,2]' }] });
    expect(toToolResult(undefined)).toEqual({ content: [{ type: 'text', text: 'null' }] });
    // A class instance is not structured content.
    expect(toToolResult(new Date(0)).structuredContent).toBeUndefined();
  });

  it('keeps the cause of a rejection off the wire', () => {
    const error = new ForbiddenError('nope', {
      cause: new Error('secret table name'),
      reason: 'r',
    });
    error.decisionId = 'd-2';
    const result = toolErrorResult(error);
    expect(JSON.stringify(result)).not.toContain('secret table name');
    expect(result.structuredContent).toEqual({
      code: 'forbidden',
      message: 'nope',
      status: 403,
      decisionId: 'd-2',
      reason: 'r',
    });
    expect(toolErrorResult(new RateLimitedError(7, 10, 60)).structuredContent).toMatchObject({
      retryAfter: 7,
      limit: 10,
      windowSeconds: 60,
    });
  });
});
