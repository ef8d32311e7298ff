import { createServer } from 'node:http';
import { GuardConfigError, type ApprovalService, type Guard } from '@agentguard/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  McpError,
  type CallToolResult,
  type CreateTaskResult,
  type GetTaskResult,
} from '@modelcontextprotocol/sdk/types.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  APPROVAL_META_KEY,
  CODE_META_KEY,
  createApprovalTasks,
  guardServer,
  handlerContextOf,
  mcpAuthChallenge,
  registerGuardedTool,
  type ApprovalTasks,
} from '../src/index.js';
import { TOKENS, createTestGuard, createTestTools } from './fixtures/guard.js';
import { listenLocal, type Listening } from './fixtures/http.js';

const TASK_CAPABILITIES = {
  tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
} as const;

/** A 1.x Streamable HTTP endpoint on 127.0.0.1: one server and transport per request. */
async function listen(guard: Guard, build: () => McpServer): Promise<Listening> {
  const gate = mcpAuthChallenge(guard);
  const server = createServer((req, res) => {
    gate(req, res, (error) => {
      if (error) {
        res.writeHead(500).end();
        return;
      }
      const mcp = build();
      const transport = new StreamableHTTPServerTransport({});
      res.on('close', () => {
        void transport.close();
        void mcp.close();
      });
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    });
  });
  return listenLocal(server);
}

async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'tasks-client', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/** Calls a tool as a task and returns the `CreateTaskResult` (with its `_meta`). */
function callAsTask(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  meta?: Record<string, unknown>,
): Promise<CreateTaskResult> {
  return client.request(
    {
      method: 'tools/call',
      params: { name, arguments: args, task: { ttl: 60_000 }, ...(meta ? { _meta: meta } : {}) },
    },
    CreateTaskResultSchema,
  );
}

async function untilDone(client: Client, taskId: string): Promise<GetTaskResult> {
  for (let i = 0; i < 200; i += 1) {
    const task = await client.experimental.tasks.getTask(taskId);
    if (task.status !== 'working' && task.status !== 'input_required') return task;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`task ${taskId} did not finish`);
}

function resultOf(client: Client, taskId: string): Promise<CallToolResult> {
  return client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(check()).toBe(true);
}

const BIG = { orderId: 'o-1', amount: 500 };

describe('approval tasks, 1.x SDK over Streamable HTTP (registerGuardedTool)', () => {
  const { guard, approvals, audit } = createTestGuard();
  const tools = createTestTools(guard);
  const taskStore = new InMemoryTaskStore();
  const approvalTasks = createApprovalTasks({
    taskStore,
    approvals,
    pollIntervalMs: 20,
    maxPending: 3,
    maxTasks: 50,
  });
  let url = '';
  let http: Listening | undefined;

  beforeAll(async () => {
    http = await listen(guard, () => {
      const mcp = new McpServer(
        { name: 'tasks-v1', version: '1.0.0' },
        { taskStore, capabilities: TASK_CAPABILITIES },
      );
      registerGuardedTool(mcp, guard, tools.refund, { approvalTasks });
      registerGuardedTool(mcp, guard, tools.getCustomer, { approvalTasks });
      registerGuardedTool(mcp, guard, tools.search);
      return mcp;
    });
    url = http.url;
  });
  afterAll(async () => {
    await approvalTasks.close();
    taskStore.cleanup();
    await http?.close();
  });

  it('advertises task support on the tools registered with approvalTasks only', async () => {
    const client = await connect(url, TOKENS.viewer);
    try {
      const listed = (await client.listTools()).tools;
      const support = Object.fromEntries(listed.map((t) => [t.name, t.execution?.taskSupport]));
      expect(support).toEqual({
        'payments.refund': 'optional',
        'crm.get_customer': 'optional',
        'crm.search': 'forbidden',
      });
    } finally {
      await client.close();
    }
  });

  it('waits as a working task with the approval id, then runs the approved call once', async () => {
    const client = await connect(url, TOKENS.viewer);
    try {
      const created = await callAsTask(client, 'payments.refund', BIG);
      const approvalId = created._meta?.[APPROVAL_META_KEY] as string;
      expect(approvalId).toMatch(/^apr_/);
      expect(created._meta?.[CODE_META_KEY]).toBe('approval_required');
      expect(created.task.status).toBe('working');
      expect(created.task.statusMessage).toContain(approvalId);
      expect(created.task.ttl).toBe(60_000);

      const waiting = await client.experimental.tasks.getTask(created.task.taskId);
      expect(waiting.status).toBe('working');
      expect(approvalTasks.pending).toBe(1);
      expect(approvals.watching()).toBe(1);

      approvals.approve(approvalId);
      const done = await untilDone(client, created.task.taskId);
      expect(done.status).toBe('completed');
      const result = await resultOf(client, created.task.taskId);
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ refunded: 'o-1', amount: 500, approvalId });
      expect(result._meta?.[APPROVAL_META_KEY]).toBe(approvalId);
      expect(approvalTasks.pending).toBe(0);
      expect(approvals.watching()).toBe(0);

      // The grant was consumed by the task: presenting it again is refused, as a task or not.
      const replay = (await client.callTool({
        name: 'payments.refund',
        arguments: BIG,
        _meta: { [APPROVAL_META_KEY]: approvalId },
      })) as CallToolResult;
      expect(replay.structuredContent).toMatchObject({ code: 'approval_invalid' });
      const replayTask = await callAsTask(client, 'payments.refund', BIG, {
        [APPROVAL_META_KEY]: approvalId,
      });
      expect(replayTask.task.status).toBe('failed');
      expect((await resultOf(client, replayTask.task.taskId)).structuredContent).toMatchObject({
        code: 'approval_invalid',
      });

      // Both runs went through the whole pipeline and were audited.
      await guard.flush();
      const outcomes = audit.events
        .filter((event) => event.approvalId === approvalId)
        .map((event) => event.code ?? event.outcome);
      expect(outcomes).toEqual([
        'approval_required',
        'allowed',
        'approval_invalid',
        'approval_invalid',
      ]);
    } finally {
      await client.close();
    }
  });

  it('streams with the SDK client: task created, approved, result', async () => {
    const client = await connect(url, TOKENS.viewer);
    try {
      await client.listTools(); // the client learns which tools take tasks
      const kinds: string[] = [];
      let result: CallToolResult | undefined;
      const stream = client.experimental.tasks.callToolStream({
        name: 'payments.refund',
        arguments: { orderId: 'o-2', amount: 300 },
      });
      for await (const message of stream) {
        kinds.push(message.type);
        if (message.type === 'taskCreated') {
          const approvalId = /apr_[\w-]+/.exec(message.task.statusMessage ?? '')?.[0];
          expect(approvalId).toBeDefined();
          setTimeout(() => approvals.approve(approvalId!), 50);
        }
        if (message.type === 'result') result = message.result as CallToolResult;
      }
      expect(kinds[0]).toBe('taskCreated');
      expect(kinds.at(-1)).toBe('result');
      expect(result?.structuredContent).toMatchObject({ refunded: 'o-2', amount: 300 });
    } finally {
      await client.close();
    }
  });

  it('fails the task with the denial when approvers reject, and never runs the handler', async () => {
    const client = await connect(url, TOKENS.viewer);
    try {
      const created = await callAsTask(client, 'payments.refund', { orderId: 'o-3', amount: 900 });
      const approvalId = created._meta?.[APPROVAL_META_KEY] as string;
      approvals.reject(approvalId);
      const done = await untilDone(client, created.task.taskId);
      expect(done.status).toBe('failed');
      const result = await resultOf(client, created.task.taskId);
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toMatchObject({
        code: 'approval_invalid',
        reason: 'rejected',
        message: 'approval rejected',
      });
      expect(result._meta).toMatchObject({
        [CODE_META_KEY]: 'approval_invalid',
        [APPROVAL_META_KEY]: approvalId,
      });
      await guard.flush();
      expect(audit.events.filter((e) => e.approvalId === approvalId)).toHaveLength(1);
      expect(approvalTasks.pending).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('lets no other principal or tenant read, await, cancel or list a task', async () => {
    const owner = await connect(url, TOKENS.viewer);
    const others = [
      await connect(url, TOKENS.viewer2),
      await connect(url, TOKENS.otherTenant), // same subject, other tenant
    ];
    try {
      const created = await callAsTask(owner, 'payments.refund', { orderId: 'o-4', amount: 700 });
      const { taskId } = created.task;
      for (const other of others) {
        await expect(other.experimental.tasks.getTask(taskId)).rejects.toThrow(
          'Failed to retrieve task: Task not found',
        );
        await expect(resultOf(other, taskId)).rejects.toThrow(`Task not found: ${taskId}`);
        await expect(other.experimental.tasks.cancelTask(taskId)).rejects.toThrow(
          `Task not found: ${taskId}`,
        );
        const listed = await other.experimental.tasks.listTasks();
        expect(listed.tasks.map((task) => task.taskId)).not.toContain(taskId);
      }
      // The same answer as for a task that does not exist.
      const unknown = (await owner.experimental.tasks
        .getTask('f'.repeat(32))
        .catch((error: unknown) => error)) as McpError;
      const foreign = (await others[0]!.experimental.tasks
        .getTask(taskId)
        .catch((error: unknown) => error)) as McpError;
      expect([foreign.code, foreign.message]).toEqual([unknown.code, unknown.message]);
      const mine = await owner.experimental.tasks.listTasks();
      expect(mine.tasks.map((task) => task.taskId)).toContain(taskId);

      // Still waiting, untouched by the attempts; the owner gets the result.
      approvals.approve(created._meta?.[APPROVAL_META_KEY] as string);
      expect((await untilDone(owner, taskId)).status).toBe('completed');
      const result = await resultOf(owner, taskId);
      expect(result.structuredContent).toMatchObject({ refunded: 'o-4' });
      await expect(resultOf(others[0]!, taskId)).rejects.toThrow(McpError);
    } finally {
      await owner.close();
      for (const other of others) await other.close();
    }
  });

  it('answers directly when no task is asked for, or when the call needs no approval', async () => {
    const client = await connect(url, TOKENS.viewer);
    try {
      // Without a task: the call that needs approval answers at once, as before.
      const direct = (await client.callTool({
        name: 'payments.refund',
        arguments: BIG,
      })) as CallToolResult;
      expect(direct.structuredContent).toMatchObject({ code: 'approval_required' });
      const small = (await client.callTool({
        name: 'payments.refund',
        arguments: { orderId: 'o-5', amount: 50 },
      })) as CallToolResult;
      expect(small.structuredContent).toEqual({ refunded: 'o-5', amount: 50, approvalId: null });
      const search = (await client.callTool({
        name: 'crm.search',
        arguments: { q: 'ada' },
      })) as CallToolResult;
      expect(search.structuredContent).toEqual({ results: ['ada'] });

      // As a task, a call that needs no approval is a task finished at once.
      const created = await callAsTask(client, 'crm.get_customer', { id: 'c-1' });
      expect(created.task.status).toBe('completed');
      expect(created._meta?.[APPROVAL_META_KEY]).toBeUndefined();
      expect((await resultOf(client, created.task.taskId)).structuredContent).toMatchObject({
        id: 'c-1',
        by: 'viewer-1',
      });
      // Rejections are failed tasks with the error result.
      const invalid = await callAsTask(client, 'crm.get_customer', { id: '' });
      expect(invalid.task.status).toBe('failed');
      expect((await resultOf(client, invalid.task.taskId)).structuredContent).toMatchObject({
        code: 'invalid_input',
      });
    } finally {
      await client.close();
    }
  });

  it('refuses a malformed approval id in a task call with a JSON-RPC error', async () => {
    const client = await connect(url, TOKENS.viewer);
    try {
      await expect(
        callAsTask(client, 'payments.refund', BIG, { [APPROVAL_META_KEY]: { $ne: null } }),
      ).rejects.toMatchObject({ code: -32007 });
    } finally {
      await client.close();
    }
  });

  it('stops waiting when the owner cancels; the grant stays unused', async () => {
    const client = await connect(url, TOKENS.viewer);
    try {
      const args = { orderId: 'o-6', amount: 800 };
      const created = await callAsTask(client, 'payments.refund', args);
      const approvalId = created._meta?.[APPROVAL_META_KEY] as string;
      const cancelled = await client.experimental.tasks.cancelTask(created.task.taskId);
      expect(cancelled.status).toBe('cancelled');
      expect(approvalTasks.pending).toBe(0);
      expect(approvals.watching()).toBe(0);
      approvals.approve(approvalId);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await client.experimental.tasks.getTask(created.task.taskId)).status).toBe(
        'cancelled',
      );
      // Nobody consumed the grant: the agent can still present it.
      const later = (await client.callTool({
        name: 'payments.refund',
        arguments: args,
        _meta: { [APPROVAL_META_KEY]: approvalId },
      })) as CallToolResult;
      expect(later.structuredContent).toMatchObject({ refunded: 'o-6', approvalId });
    } finally {
      await client.close();
    }
  });

  it('bounds the waiting calls: beyond maxPending a task ends with approval_required', async () => {
    const client = await connect(url, TOKENS.viewer);
    try {
      const waiting = [];
      for (let i = 0; i < 3; i += 1) {
        waiting.push(
          await callAsTask(client, 'payments.refund', { orderId: `b-${i}`, amount: 200 }),
        );
      }
      expect(approvalTasks.pending).toBe(3);
      const overflow = await callAsTask(client, 'payments.refund', { orderId: 'b-3', amount: 200 });
      expect(overflow.task.status).toBe('failed');
      const result = await resultOf(client, overflow.task.taskId);
      expect(result.structuredContent).toMatchObject({
        code: 'approval_required',
        approvalId: expect.stringMatching(/^apr_/),
      });
      for (const created of waiting) approvals.reject(created._meta?.[APPROVAL_META_KEY] as string);
      await waitFor(() => approvalTasks.pending === 0);
    } finally {
      await client.close();
    }
  });
});

describe('approval tasks: expiry, guardServer and configuration', () => {
  it('fails a task whose approval expires, and runs SDK callbacks registered by guardServer', async () => {
    const { guard, approvals } = createTestGuard({ approvalTtlMs: 300 });
    const taskStore = new InMemoryTaskStore();
    const approvalTasks = createApprovalTasks({ taskStore, approvals, pollIntervalMs: 20 });
    const { url, close } = await listen(guard, () => {
      const mcp = guardServer(
        new McpServer(
          { name: 'tasks', version: '1.0.0' },
          { taskStore, capabilities: TASK_CAPABILITIES },
        ),
        guard,
        { approvalTasks },
      );
      mcp.registerTool(
        'payments.refund',
        { inputSchema: z.object({ orderId: z.string(), amount: z.number() }) },
        ({ orderId }, ctx) => ({
          content: [
            { type: 'text', text: `${orderId} by ${handlerContextOf(ctx)?.principal.subject}` },
          ],
        }),
      );
      return mcp;
    });
    const client = await connect(url, TOKENS.viewer);
    try {
      const expiring = await callAsTask(client, 'payments.refund', BIG);
      const done = await untilDone(client, expiring.task.taskId);
      expect(done.status).toBe('failed');
      expect((await resultOf(client, expiring.task.taskId)).structuredContent).toMatchObject({
        code: 'approval_invalid',
        reason: 'expired',
      });
      expect(approvals.watching()).toBe(0);

      const created = await callAsTask(client, 'payments.refund', BIG);
      approvals.approve(created._meta?.[APPROVAL_META_KEY] as string);
      expect((await untilDone(client, created.task.taskId)).status).toBe('completed');
      const result = await resultOf(client, created.task.taskId);
      expect(result.content).toEqual([{ type: 'text', text: 'o-1 by viewer-1' }]);
    } finally {
      await client.close();
      await approvalTasks.close();
      taskStore.cleanup();
      await close();
    }
  });

  it('forgets the oldest finished task beyond maxTasks: it then reads as not found', async () => {
    const { guard, approvals } = createTestGuard();
    const tools = createTestTools(guard);
    const taskStore = new InMemoryTaskStore();
    const approvalTasks = createApprovalTasks({ taskStore, approvals, maxPending: 1, maxTasks: 2 });
    const { url, close } = await listen(guard, () => {
      const mcp = new McpServer(
        { name: 'tasks', version: '1.0.0' },
        { taskStore, capabilities: TASK_CAPABILITIES },
      );
      registerGuardedTool(mcp, guard, tools.getCustomer, { approvalTasks });
      return mcp;
    });
    const client = await connect(url, TOKENS.viewer);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        ids.push((await callAsTask(client, 'crm.get_customer', { id: `c-${i}` })).task.taskId);
      }
      await expect(client.experimental.tasks.getTask(ids[0]!)).rejects.toThrow('Task not found');
      expect((await client.experimental.tasks.getTask(ids[2]!)).status).toBe('completed');
    } finally {
      await client.close();
      await approvalTasks.close();
      taskStore.cleanup();
      await close();
    }
  });

  it('cancels the waiting tasks on close()', async () => {
    const { guard, approvals } = createTestGuard();
    const tools = createTestTools(guard);
    const taskStore = new InMemoryTaskStore();
    const approvalTasks = createApprovalTasks({ taskStore, approvals });
    const { url, close } = await listen(guard, () => {
      const mcp = new McpServer(
        { name: 'tasks', version: '1.0.0' },
        { taskStore, capabilities: TASK_CAPABILITIES },
      );
      registerGuardedTool(mcp, guard, tools.refund, { approvalTasks });
      return mcp;
    });
    const client = await connect(url, TOKENS.viewer);
    try {
      const created = await callAsTask(client, 'payments.refund', BIG);
      expect(created.task.pollInterval).toBe(2_000);
      await approvalTasks.close();
      expect(approvalTasks.pending).toBe(0);
      expect(approvals.watching()).toBe(0);
      expect((await client.experimental.tasks.getTask(created.task.taskId)).status).toBe(
        'cancelled',
      );
    } finally {
      await client.close();
      taskStore.cleanup();
      await close();
    }
  });

  it('refuses what cannot work, at registration', () => {
    const { guard, approvals } = createTestGuard();
    const tools = createTestTools(guard);
    const taskStore = new InMemoryTaskStore();
    const withoutWatch: ApprovalService = {
      kind: 'approvals',
      name: 'no-watch',
      request: (input) => approvals.request(input),
      consume: (input) => approvals.consume(input),
    };
    expect(() => createApprovalTasks({ taskStore, approvals: withoutWatch })).toThrow(
      'approval tasks need an approval service that implements onDecision()',
    );
    expect(() =>
      createApprovalTasks({ taskStore, approvals, maxPending: 10, maxTasks: 10 }),
    ).toThrow(GuardConfigError);
    expect(() => createApprovalTasks({ taskStore, approvals, ttlMs: 0 })).toThrow(GuardConfigError);
    expect(() => createApprovalTasks({ taskStore: {} as InMemoryTaskStore, approvals })).toThrow(
      GuardConfigError,
    );

    const approvalTasks: ApprovalTasks = createApprovalTasks({ taskStore, approvals });
    const noStore = new McpServer({ name: 'x', version: '1.0.0' });
    expect(() => registerGuardedTool(noStore, guard, tools.refund, { approvalTasks })).toThrow(
      'approval tasks need an McpServer created with a taskStore and the tasks capability',
    );
    const otherStore = new McpServer(
      { name: 'x', version: '1.0.0' },
      { taskStore: new InMemoryTaskStore(), capabilities: TASK_CAPABILITIES },
    );
    expect(() => registerGuardedTool(otherStore, guard, tools.refund, { approvalTasks })).toThrow(
      'the server was created with another taskStore than approvalTasks',
    );
    const v2 = new McpServerV2({ name: 'x', version: '1.0.0' });
    expect(() => registerGuardedTool(v2, guard, tools.refund, { approvalTasks })).toThrow(
      'the 2.x SDK has no task runtime',
    );
    const forged = { pending: 0, close: () => Promise.resolve() };
    const server = new McpServer(
      { name: 'x', version: '1.0.0' },
      { taskStore, capabilities: TASK_CAPABILITIES },
    );
    expect(() =>
      registerGuardedTool(server, guard, tools.refund, { approvalTasks: forged }),
    ).toThrow('approvalTasks must be made by createApprovalTasks()');
  });
});
