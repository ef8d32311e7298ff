import { createServer } from 'node:http';
import {
  GuardConfigError,
  allowAllAccess,
  anonymousAuthenticator,
  createGuard,
  type Guard,
} from '@agentguard/core';
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as HttpV2,
} from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { McpServer as McpServerV2, createMcpHandler } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createApprovalTasks,
  guardServer,
  handlerContextOf,
  registerGuardedTool,
} from '../src/index.js';
import { call, type TestClient } from './contract.js';
import { TOKENS, createTestGuard } from './fixtures/guard.js';
import { listenLocal, type Listening } from './fixtures/http.js';

// Every way a tool reaches an McpServer past guardServer's registerTool, per SDK major. Each
// raw handler records that it ran; no test may see one run.
const TASK_CAPABILITIES = {
  tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
} as const;

const REFUSED = {
  code: 'forbidden',
  message: 'not allowed to call this tool',
  status: 403,
  reason: 'unknown_tool',
  // Each refusal is audited under its own decision id.
  decisionId: expect.any(String) as unknown,
};

type Ran = string[];

function rawHandler(ran: Ran, name: string) {
  return () => {
    ran.push(name);
    return { content: [{ type: 'text' as const, text: `raw ${name}` }] };
  };
}

function whoami(_args: unknown, ctx: unknown) {
  const subject = handlerContextOf(ctx)?.principal.subject ?? 'unguarded';
  return { content: [{ type: 'text' as const, text: subject }] };
}

const ID = z.object({ id: z.string() });
type RegisterTool<S> = (this: S, name: string, config: object, cb: () => unknown) => unknown;
// Each SDK's own registerTool, called past the instance (so past guardServer's wrapper).
const registerV1 = Reflect.get(McpServerV1.prototype, 'registerTool') as RegisterTool<McpServerV1>;
const registerV2 = Reflect.get(McpServerV2.prototype, 'registerTool') as RegisterTool<McpServerV2>;

/** 1.x: the first tool comes past the guard, so the SDK installs its handlers for it. */
function buildV1(guard: Guard, ran: Ran, taskStore: InMemoryTaskStore): McpServerV1 {
  const server = guardServer(
    new McpServerV1(
      { name: 'fail-closed-v1', version: '1.0.0' },
      { taskStore, capabilities: TASK_CAPABILITIES },
    ),
    guard,
  );
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old API is the bypass tested
  server.tool('legacy.echo', { text: z.string() }, rawHandler(ran, 'legacy.echo'));
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old API is the bypass tested
  server.tool('legacy.bare', rawHandler(ran, 'legacy.bare'));
  server.experimental.tasks.registerToolTask(
    'task.echo',
    { inputSchema: { text: z.string() }, execution: { taskSupport: 'optional' } },
    {
      createTask: async (_args, extra) => {
        ran.push('task.echo');
        return { task: await extra.taskStore.createTask({ ttl: 60_000 }) };
      },
      getTask: (_args, extra) => extra.taskStore.getTask(extra.taskId),
      getTaskResult: async (_args, extra) =>
        (await extra.taskStore.getTaskResult(extra.taskId)) as never,
    },
  );
  server.experimental.tasks.registerToolTask(
    'task.required',
    { inputSchema: { text: z.string() } },
    {
      createTask: async (_args, extra) => {
        ran.push('task.required');
        return { task: await extra.taskStore.createTask({ ttl: 60_000 }) };
      },
      getTask: (_args, extra) => extra.taskStore.getTask(extra.taskId),
      getTaskResult: async (_args, extra) =>
        (await extra.taskStore.getTaskResult(extra.taskId)) as never,
    },
  );
  registerV1.call(server, 'proto.echo', {}, rawHandler(ran, 'proto.echo'));
  server.registerTool('whoami', { inputSchema: z.object({}) }, whoami);
  server
    .registerTool('crm.get_customer', { inputSchema: ID }, whoami)
    .update({ callback: rawHandler(ran, 'crm.get_customer') });
  server.registerTool('crm.search', { inputSchema: z.object({ q: z.string() }) }, whoami).update({
    name: 'renamed.search',
  });
  return server;
}

/** 2.x: the same, with the paths 2.x has (no `tool()`, no task runtime). */
function buildV2(guard: Guard, ran: Ran): McpServerV2 {
  const server = guardServer(new McpServerV2({ name: 'fail-closed-v2', version: '1.0.0' }), guard);
  registerV2.call(server, 'proto.echo', {}, rawHandler(ran, 'proto.echo'));
  server.registerTool('whoami', { inputSchema: z.object({}) }, whoami);
  server
    .registerTool('crm.get_customer', { inputSchema: ID }, whoami)
    .update({ callback: rawHandler(ran, 'crm.get_customer') });
  server.registerTool('crm.search', { inputSchema: z.object({ q: z.string() }) }, whoami).update({
    name: 'renamed.search',
  });
  return server;
}

/** A 1.x Streamable HTTP endpoint on 127.0.0.1, one server per request, no auth middleware:
 * the guard authenticates from the request's headers itself. */
function serveV1(build: () => McpServerV1): Promise<Listening> {
  return listenLocal(
    createServer((req, res) => {
      const mcp = build();
      const transport = new StreamableHTTPServerTransport({});
      res.on('close', () => {
        void transport.close();
        void mcp.close();
      });
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    }),
  );
}

/** The same with the 2.x SDK (`createMcpHandler`). */
function serveV2(build: () => McpServerV2): Promise<Listening> {
  const handler = createMcpHandler(build);
  const toNode = toNodeHandler(handler);
  return listenLocal(
    createServer((req, res) => void toNode(req as never, res)),
    () => handler.close(),
  );
}

function headers(token: string | undefined) {
  return token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } };
}

async function connectV1(url: string, token: string | undefined): Promise<ClientV1> {
  const client = new ClientV1({ name: 'fail-closed-v1', version: '1.0.0' });
  await client.connect(new HttpV1(new URL(url), { requestInit: headers(token) }));
  return client;
}

async function connectV2(url: string, token: string | undefined): Promise<TestClient> {
  const client = new ClientV2({ name: 'fail-closed-v2', version: '1.0.0' });
  await client.connect(new HttpV2(new URL(url), { requestInit: headers(token) }));
  return client;
}

/** What both majors must show; `bypassed` names the tools registered past the guard. */
function failsClosed(
  connect: (token: string | undefined) => Promise<TestClient>,
  ran: Ran,
  bypassed: readonly string[],
  { guard, audit }: ReturnType<typeof createTestGuard>,
) {
  it('refuses every tool registered past the guard, as it refuses a name no tool has', async () => {
    const client = await connect(TOKENS.viewer);
    const names = [...bypassed, 'renamed.search', 'no.such.tool', 'constructor'];
    const before = audit.events.length;
    try {
      for (const name of names) {
        const result = await call(client, name, { id: 'c-1', text: 'hi', q: 'x' });
        expect({ name, result: result.structuredContent }).toEqual({ name, result: REFUSED });
        expect(result.isError).toBe(true);
      }
      expect(ran).toEqual([]);
      // Each refusal is audited once, like any other call.
      await guard.flush();
      const events = audit.events.slice(before);
      expect(events.map((e) => [e.tool, e.outcome, e.code, e.reason, e.subject])).toEqual(
        names.map((name) => [name, 'rejected', 'forbidden', 'unknown_tool', 'viewer-1']),
      );
    } finally {
      await client.close();
    }
  });

  it('authenticates before refusing: an unknown caller learns nothing about the tool', async () => {
    const client = await connect(undefined);
    const names = [...bypassed, 'no.such.tool'];
    const before = audit.events.length;
    try {
      for (const name of names) {
        const result = await call(client, name, {});
        expect(result.structuredContent).toMatchObject({ code: 'unauthenticated' });
      }
      expect(ran).toEqual([]);
      await guard.flush();
      const events = audit.events.slice(before);
      expect(events.map((e) => [e.tool, e.code, e.stage])).toEqual(
        names.map((name) => [name, 'unauthenticated', 'authenticate']),
      );
    } finally {
      await client.close();
    }
  });

  it('lists only the guarded tools and still runs them through the guard', async () => {
    const client = await connect(TOKENS.viewer);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['whoami']);
      const result = await call(client, 'whoami', {});
      expect(result.content[0]!.text).toBe('viewer-1');
      const strict = await call(client, 'whoami', { extra: 1 });
      expect(strict.structuredContent).toMatchObject({ code: 'invalid_input' });
    } finally {
      await client.close();
    }
  });
}

describe('guardServer fails closed, 1.x SDK over Streamable HTTP', () => {
  const testGuard = createTestGuard();
  const { guard } = testGuard;
  const ran: Ran = [];
  const taskStore = new InMemoryTaskStore();
  let served: Listening | undefined;
  beforeAll(async () => {
    served = await serveV1(() => buildV1(guard, ran, taskStore));
  });
  afterAll(async () => {
    taskStore.cleanup();
    await served?.close();
  });

  const bypassed = ['legacy.echo', 'legacy.bare', 'task.echo', 'task.required', 'proto.echo'];
  failsClosed(
    (token) => connectV1(served!.url, token),
    ran,
    [...bypassed, 'crm.get_customer'],
    testGuard,
  );

  it('refuses a task-augmented call of a tool registered past the guard', async () => {
    const client = await connectV1(served!.url, TOKENS.viewer);
    try {
      for (const name of ['task.echo', 'task.required', 'legacy.echo']) {
        const request = client.request(
          {
            method: 'tools/call',
            params: { name, arguments: { text: 'hi' }, task: { ttl: 60_000 } },
          },
          CreateTaskResultSchema,
        );
        await expect(request).rejects.toMatchObject({ code: -32003, data: REFUSED });
      }
      expect(ran).toEqual([]);
      expect((await taskStore.listTasks()).tasks).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe('guardServer fails closed, 2.x SDK over Streamable HTTP', () => {
  const testGuard = createTestGuard();
  const { guard } = testGuard;
  const ran: Ran = [];
  let served: Listening | undefined;
  beforeAll(async () => {
    served = await serveV2(() => buildV2(guard, ran));
  });
  afterAll(async () => {
    await served?.close();
  });

  failsClosed(
    (token) => connectV2(served!.url, token),
    ran,
    ['proto.echo', 'crm.get_customer'],
    testGuard,
  );
});

describe('guardServer fails closed, 2.x SDK: the checks the HTTP layer runs before dispatch', () => {
  // The 2.x HTTP entry asks the McpServer for a tool's scope challenge and its input schema
  // (SEP-2243 `Mcp-Param-*` headers) before any handler runs: for a tool registered past the
  // guard, both would answer (403 insufficient_scope, 400 -32020) where a made-up name gets
  // the guard's refusal, telling the caller that the tool exists.
  const testGuard = createTestGuard();
  const { guard } = testGuard;
  const ran: Ran = [];
  let served: Listening | undefined;
  beforeAll(async () => {
    served = await serveV2(() => {
      const server = buildV2(guard, ran);
      registerV2.call(
        server,
        'scoped.echo',
        {
          inputSchema: z.object({ region: z.string().meta({ 'x-mcp-header': 'Region' }) }),
          scopeChallenge: () => ({ scopes: ['secret:write'] }),
        },
        rawHandler(ran, 'scoped.echo'),
      );
      return server;
    });
  });
  afterAll(async () => {
    await served?.close();
  });

  for (const era of ['legacy', 'modern'] as const) {
    for (const token of [TOKENS.viewer, undefined]) {
      const who = token === undefined ? 'an unauthenticated' : 'an authenticated';
      it(`answers ${who} ${era} client as it answers a name no tool has`, async () => {
        const client = new ClientV2(
          { name: 'fail-closed-v2', version: '1.0.0' },
          era === 'modern' ? { versionNegotiation: { mode: 'auto' } } : {},
        );
        await client.connect(new HttpV2(new URL(served!.url), { requestInit: headers(token) }));
        const expected =
          token === undefined
            ? { code: 'unauthenticated', reason: 'missing', status: 401 }
            : REFUSED;
        try {
          for (const name of ['scoped.echo', 'no.such.tool']) {
            const result = await call(client, name, { region: 'eu' });
            expect({ name, result: result.structuredContent }).toMatchObject({
              name,
              result: expected,
            });
          }
          expect(ran).toEqual([]);
        } finally {
          await client.close();
        }
      });
    }
  }
});

describe('guardServer fails closed: a tools/call handler set on the low-level server', () => {
  function lowLevel<S extends McpServerV1 | McpServerV2>(server: S, guard: Guard, ran: Ran): S {
    const mcp = guardServer(server, guard);
    (mcp as McpServerV2).registerTool('whoami', { inputSchema: z.object({}) }, whoami);
    const raw = rawHandler(ran, 'low.level');
    if (mcp instanceof McpServerV1) mcp.server.setRequestHandler(CallToolRequestSchema, raw);
    else mcp.server.setRequestHandler('tools/call', raw);
    return mcp;
  }

  it('1.x and 2.x: it refuses every call, guarded names included', async () => {
    const { guard } = createTestGuard();
    const ran: Ran = [];
    const v1 = await serveV1(() =>
      lowLevel(new McpServerV1({ name: 'low-level', version: '1.0.0' }), guard, ran),
    );
    const v2 = await serveV2(() =>
      lowLevel(new McpServerV2({ name: 'low-level', version: '1.0.0' }), guard, ran),
    );
    const clients = [
      await connectV1(v1.url, TOKENS.viewer),
      await connectV2(v2.url, TOKENS.viewer),
    ];
    try {
      for (const client of clients) {
        for (const name of ['whoami', 'low.level']) {
          expect((await call(client, name, {})).structuredContent).toEqual(REFUSED);
        }
      }
      expect(ran).toEqual([]);
    } finally {
      for (const client of clients) await client.close();
      await v1.close();
      await v2.close();
    }
  });
});

describe('guardServer fails closed: configuration', () => {
  function openGuard() {
    return createGuard({
      authenticator: anonymousAuthenticator(),
      accessControl: allowAllAccess(),
    });
  }

  it('refuses a second guard on a guarded server', () => {
    const server = guardServer(new McpServerV2({ name: 's', version: '1' }), openGuard());
    expect(() => guardServer(server, openGuard())).toThrow(GuardConfigError);
  });

  it('gates the handlers an McpServer installed before guardServer (tools capability declared)', async () => {
    const { guard } = createTestGuard();
    const ran: Ran = [];
    const served = await serveV2(() => {
      const mcp = new McpServerV2(
        { name: 's', version: '1' },
        { capabilities: { tools: { listChanged: true } } },
      );
      guardServer(mcp, guard);
      registerV2.call(mcp, 'raw', {}, rawHandler(ran, 'raw'));
      mcp.registerTool('whoami', { inputSchema: z.object({}) }, whoami);
      return mcp;
    });
    const client = await connectV2(served.url, TOKENS.viewer);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['whoami']);
      expect((await call(client, 'raw', {})).structuredContent).toEqual(REFUSED);
      expect((await call(client, 'whoami', {})).content[0]!.text).toBe('viewer-1');
      expect(ran).toEqual([]);
    } finally {
      await client.close();
      await served.close();
    }
  });

  it('hides tools the guard does not know even with listUnguardedTools', async () => {
    const guard = openGuard();
    const ran: Ran = [];
    const served = await serveV2(() => {
      const mcp = guardServer(new McpServerV2({ name: 's', version: '1' }), guard, {
        listUnguardedTools: true,
      });
      registerV2.call(mcp, 'raw', {}, rawHandler(ran, 'raw'));
      mcp.registerTool('open', { inputSchema: z.object({}) }, whoami);
      return mcp;
    });
    const client = await connectV2(served.url, undefined);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['open']);
      expect((await call(client, 'raw', {})).structuredContent).toEqual(REFUSED);
      expect(ran).toEqual([]);
    } finally {
      await client.close();
      await served.close();
    }
  });

  it('keeps approval tasks working behind the gate (1.x, registerGuardedTool, then guardServer)', async () => {
    const { guard, approvals } = createTestGuard();
    const taskStore = new InMemoryTaskStore();
    const approvalTasks = createApprovalTasks({ taskStore, approvals, pollIntervalMs: 20 });
    const who = guard('whoami', { input: z.object({}), operation: 'read' }, (_args, context) => {
      return context.principal.subject;
    });
    const ran: Ran = [];
    const served = await serveV1(() => {
      const mcp = new McpServerV1(
        { name: 'tasks', version: '1.0.0' },
        { taskStore, capabilities: TASK_CAPABILITIES },
      );
      registerGuardedTool(mcp, guard, who, { approvalTasks });
      guardServer(mcp, guard, { approvalTasks });
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the bypass tested
      mcp.tool('legacy.echo', rawHandler(ran, 'legacy.echo'));
      return mcp;
    });
    const client = await connectV1(served.url, TOKENS.viewer);
    try {
      const created = await client.request(
        { method: 'tools/call', params: { name: 'whoami', arguments: {}, task: { ttl: 60_000 } } },
        CreateTaskResultSchema,
      );
      expect(created.task.status).toBe('completed');
      expect((await call(client, 'whoami', {})).content[0]!.text).toBe('viewer-1');
      expect((await call(client, 'legacy.echo', {})).structuredContent).toEqual(REFUSED);
      expect(ran).toEqual([]);
    } finally {
      await client.close();
      await approvalTasks.close();
      taskStore.cleanup();
      await served.close();
    }
  });
});
