import {
  GuardConfigError,
  silentLogger,
  type ApprovalService,
  type Logger,
} from '@agentguard/core';
import { ApprovalTaskRunner } from './lib/approval-task-runner.js';
import { approvalTaskRunners } from './lib/approval-task-runners.js';
import type { TaskStoreLike } from './lib/sdk.js';

/** Options of {@link createApprovalTasks}. */
export interface ApprovalTasksOptions {
  /**
   * The task store every `McpServer` serving these tools is created with
   * (`new McpServer(info, { taskStore, capabilities: { tasks: … } })`), for example the 1.x
   * SDK's `InMemoryTaskStore`, made once at module scope. A task of a call that waits is
   * finished in it after the request that created the task has been answered.
   */
  readonly taskStore: TaskStoreLike;
  /**
   * The guard's approval service. It must implement `onDecision()`: that is how a waiting task
   * learns that approvers decided (no polling).
   */
  readonly approvals: ApprovalService;
  /**
   * Most calls waiting for approvers at once. Beyond it, a call that needs approval still
   * becomes a task, finished at once with the `approval_required` result (the agent presents
   * the approval id in `_meta` later). Default 1,000.
   */
  readonly maxPending?: number | undefined;
  /**
   * Most tasks whose owner is remembered (waiting, or finished and not yet expired). When
   * full, the oldest finished task is forgotten first: it then reads as not found, for its
   * owner too. Must be more than `maxPending`. Default 10,000.
   */
  readonly maxTasks?: number | undefined;
  /**
   * Longest ttl of a task, in milliseconds: a client's requested ttl is lowered to it, a
   * missing or unlimited one raised to it. A task waits for approvers until its approval
   * expires or its ttl ends (then it fails with `approval_invalid`, reason `expired`), and its
   * result is kept for the ttl after it finishes. At most 24 days. Default 1 hour.
   */
  readonly ttlMs?: number | undefined;
  /** Poll interval suggested to clients in each task, in milliseconds. Default 2,000. */
  readonly pollIntervalMs?: number | undefined;
  /** Receives what a developer should know (a result that could not be stored). Default: silent. */
  readonly logger?: Logger | undefined;
}

/**
 * Calls that wait for approvers, as MCP tasks (1.x SDK). Pass it as the `approvalTasks` option
 * of {@link registerGuardedTool} or {@link guardServer}; make it once, beside the guard.
 */
export interface ApprovalTasks {
  /** Calls waiting for approvers now (or re-running after an approval). */
  readonly pending: number;
  /** Stops waiting: each waiting task is cancelled. For shutdown. */
  close(): Promise<void>;
}

const MAX_TTL_MS = 24 * 24 * 60 * 60 * 1000; // below setTimeout's 2^31 - 1 ms

function positiveInteger(
  value: number | undefined,
  fallback: number,
  path: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new GuardConfigError(`${path} must be an integer from 1 to ${max}`, { path });
  }
  return value;
}

function isTaskStore(value: unknown): value is TaskStoreLike {
  const store = value as Partial<Record<keyof TaskStoreLike, unknown>> | null;
  return (
    typeof store === 'object' &&
    store !== null &&
    typeof store.getTask === 'function' &&
    typeof store.storeTaskResult === 'function' &&
    typeof store.updateTaskStatus === 'function'
  );
}

/**
 * Lets a guarded tool call that needs human approval run as an MCP task (1.x SDK's
 * experimental tasks, protocol 2025-11-25). A client that calls the tool as a task gets the
 * task at once, `working`, with the approval id in its status message and in the result's
 * `_meta`; when approvers decide, the call runs the guard's whole pipeline again with the
 * approval id (the grant is consumed there, once) and the task completes with the result, or
 * fails with the rejection. Only the caller that created a task (same tenant and subject) can
 * read, list or cancel it. Calls made without a task answer as before (`approval_required`, then
 * the approval id in `_meta`).
 *
 * @example
 * const taskStore = new InMemoryTaskStore();
 * const approvalTasks = createApprovalTasks({ taskStore, approvals });
 * const server = new McpServer(info, {
 *   taskStore,
 *   capabilities: { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
 * });
 * registerGuardedTool(server, guard, refund, { approvalTasks });
 */
export function createApprovalTasks(options: ApprovalTasksOptions): ApprovalTasks {
  if (!isTaskStore(options.taskStore)) {
    throw new GuardConfigError('taskStore must be a task store of the 1.x MCP SDK', {
      path: 'taskStore',
    });
  }
  const approvals = options.approvals as ApprovalService | undefined;
  if (approvals?.kind !== 'approvals') {
    throw new GuardConfigError('approvals must be an approval service', { path: 'approvals' });
  }
  if (typeof approvals.onDecision !== 'function') {
    throw new GuardConfigError(
      'approval tasks need an approval service that implements onDecision()',
      { path: 'approvals.onDecision' },
    );
  }
  const maxPending = positiveInteger(options.maxPending, 1_000, 'maxPending');
  const maxTasks = positiveInteger(options.maxTasks, 10_000, 'maxTasks');
  if (maxTasks <= maxPending) {
    throw new GuardConfigError('maxTasks must be more than maxPending', { path: 'maxTasks' });
  }
  const ttlMs = positiveInteger(options.ttlMs, 3_600_000, 'ttlMs', MAX_TTL_MS);
  const pollIntervalMs = positiveInteger(options.pollIntervalMs, 2_000, 'pollIntervalMs', ttlMs);
  const runner = new ApprovalTaskRunner(
    options.taskStore,
    approvals.onDecision.bind(approvals),
    { maxPending, maxTasks, ttlMs, pollIntervalMs },
    options.logger ?? silentLogger,
    Date.now,
  );
  const tasks: ApprovalTasks = {
    get pending() {
      return runner.pending;
    },
    close: () => runner.close(),
  };
  approvalTaskRunners.set(tasks, runner);
  return tasks;
}
