import {
  ApprovalInvalidError,
  InternalGuardError,
  type ApprovalDecision,
  type ApprovalService,
  type CallContext,
  type GuardedResult,
  type Logger,
} from '@agentguard/core';
import { APPROVAL_META_KEY } from '../meta-keys.js';
import { toolErrorResult } from '../tool-error-result.js';
import { toCallResult } from './call-guarded.js';
import type { CallToolResultLike, TaskStoreLike } from './sdk.js';

/** Runs a guarded call: the pipeline, with the context given. */
export type ExecuteGuarded = (
  args: unknown,
  context: CallContext,
) => Promise<GuardedResult<unknown>>;

/** Who may read a task: the tenant and subject of the call that created it. */
export interface TaskOwner {
  readonly tenantId: string;
  readonly subject: string;
}

/** A call that waits for approvers, as the first run left it. */
export interface WaitingCall {
  readonly taskId: string;
  readonly sessionId: string | undefined;
  readonly owner: TaskOwner;
  readonly ttlMs: number;
  readonly approvalId: string;
  /** When the approval request expires (ISO 8601), when the service said. */
  readonly expiresAt: string | undefined;
  /** Decision id of the first run (the `approval_required` one). */
  readonly decisionId: string | undefined;
  readonly args: unknown;
  /** The first run's call context: credentials stay in memory, never in the task store. */
  readonly context: CallContext;
  readonly execute: ExecuteGuarded;
  readonly sdkResults: boolean;
}

interface Waiting extends WaitingCall {
  readonly controller: AbortController;
  timer: ReturnType<typeof setTimeout> | undefined;
  stop: (() => void) | undefined;
  settled: boolean;
}

interface TaskRecord {
  readonly owner: string;
  expiresAt: number;
  waiting: Waiting | undefined;
}

/** Limits of a runner, validated by `createApprovalTasks`. */
export interface RunnerLimits {
  readonly maxPending: number;
  readonly maxTasks: number;
  readonly ttlMs: number;
  readonly pollIntervalMs: number;
}

function ownerKey(owner: TaskOwner): string {
  // Length-prefixed, so no tenant / subject pair can spell another's key.
  return `${owner.tenantId.length}:${owner.tenantId}/${owner.subject}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The state behind `createApprovalTasks()`: who owns each task, the calls waiting for
 * approvers (bounded, each with a deadline), and the re-run when approvers decide.
 */
export class ApprovalTaskRunner {
  readonly #records = new Map<string, TaskRecord>();
  readonly #waiting = new Set<Waiting>();
  #closed = false;

  constructor(
    readonly taskStore: TaskStoreLike,
    readonly watch: NonNullable<ApprovalService['onDecision']>,
    readonly limits: RunnerLimits,
    readonly logger: Logger,
    readonly now: () => number,
  ) {}

  /** Calls waiting for a decision (or re-running after one). */
  get pending(): number {
    return this.#waiting.size;
  }

  /** The ttl a new task gets: what the client asked, at most the configured one. */
  ttlFor(requested: number | null | undefined): number {
    const max = this.limits.ttlMs;
    if (typeof requested !== 'number' || !Number.isFinite(requested)) return max;
    return Math.min(max, Math.max(1_000, Math.floor(requested)));
  }

  /** Whether one more call may wait for approvers. */
  canWait(): boolean {
    return !this.#closed && this.#waiting.size < this.limits.maxPending;
  }

  /** Whether `taskId` is a live task of `owner`. Unknown and expired tasks are nobody's. */
  owns(taskId: string, owner: TaskOwner): boolean {
    const record = this.#records.get(taskId);
    if (!record) return false;
    if (record.waiting === undefined && record.expiresAt <= this.now()) {
      this.#records.delete(taskId);
      return false;
    }
    return record.owner === ownerKey(owner);
  }

  /** Records a task that finished in the request that created it. */
  track(taskId: string, owner: TaskOwner, ttlMs: number): void {
    this.#insert(taskId, {
      owner: ownerKey(owner),
      expiresAt: this.now() + ttlMs,
      waiting: undefined,
    });
  }

  /** Stores a finished task's result: `failed` when it is an error result (MCP 2025-11-25). */
  async finish(
    taskId: string,
    result: CallToolResultLike,
    sessionId: string | undefined,
  ): Promise<void> {
    const status = result.isError === true ? 'failed' : 'completed';
    try {
      await this.taskStore.storeTaskResult(taskId, status, result, sessionId);
    } catch (error) {
      // Cancelled meanwhile, or gone with its ttl.
      this.logger.warn('approval task: cannot store the result', { taskId, error: message(error) });
    }
  }

  /** Starts waiting for the approvers' decision on `call`. */
  wait(call: WaitingCall): void {
    const waiting: Waiting = {
      ...call,
      controller: new AbortController(),
      timer: undefined,
      stop: undefined,
      settled: false,
    };
    this.#insert(call.taskId, {
      owner: ownerKey(call.owner),
      expiresAt: this.now() + call.ttlMs,
      waiting,
    });
    this.#waiting.add(waiting);
    // The task waits until the approval expires, or until shortly before its own ttl ends (a
    // tenth of it, at most a minute), so that the client still sees it fail `expired`.
    const approvalEnds = call.expiresAt === undefined ? Number.NaN : Date.parse(call.expiresAt);
    const ttlEnds = call.ttlMs - Math.min(call.ttlMs / 10, 60_000);
    const deadline = Number.isFinite(approvalEnds)
      ? Math.min(ttlEnds, approvalEnds - this.now())
      : ttlEnds;
    waiting.timer = setTimeout(() => void this.#decide(waiting, 'expired'), Math.max(0, deadline));
    waiting.timer.unref();
    try {
      const stop = this.watch(
        { approvalId: call.approvalId, tenantId: call.owner.tenantId, subject: call.owner.subject },
        (decision) => void this.#decide(waiting, decision),
      );
      if (waiting.settled) stop();
      else waiting.stop = stop;
    } catch (error) {
      this.logger.warn('approval task: the approval service cannot watch the request', {
        taskId: call.taskId,
        error: message(error),
      });
      void this.#decide(waiting, 'unwatchable');
    }
  }

  /** The client cancelled `taskId`: stop waiting, and abort a re-run in flight. */
  cancel(taskId: string): void {
    const waiting = this.#records.get(taskId)?.waiting;
    if (!waiting) return;
    waiting.controller.abort();
    if (!waiting.settled) {
      this.#settle(waiting);
      this.#free(waiting);
    }
  }

  /** Stops every wait; waiting tasks are cancelled in the store. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      [...this.#waiting].map(async (waiting) => {
        waiting.controller.abort();
        if (waiting.settled) return; // re-running: it stores its own outcome
        this.#settle(waiting);
        this.#free(waiting);
        try {
          await this.taskStore.updateTaskStatus(
            waiting.taskId,
            'cancelled',
            'server closed',
            waiting.sessionId,
          );
        } catch {
          // Already terminal or gone: nothing left to cancel.
        }
      }),
    );
  }

  #insert(taskId: string, record: TaskRecord): void {
    if (this.#records.size >= this.limits.maxTasks) this.#evict();
    this.#records.set(taskId, record);
  }

  /**
   * Makes room: drops expired records, then the oldest finished ones. Dropping a record makes
   * its task unreadable (fail closed), never readable by someone else. Waiting records are
   * bounded by `maxPending` < `maxTasks`, so there is always a finished one to drop.
   */
  #evict(): void {
    const now = this.now();
    for (const [taskId, record] of this.#records) {
      if (record.waiting === undefined && record.expiresAt <= now) this.#records.delete(taskId);
    }
    for (const [taskId, record] of this.#records) {
      if (this.#records.size < this.limits.maxTasks) break;
      if (record.waiting === undefined) this.#records.delete(taskId);
    }
  }

  /** No more listener or timer: whatever comes next for this wait is ignored. */
  #settle(waiting: Waiting): void {
    waiting.settled = true;
    if (waiting.timer !== undefined) clearTimeout(waiting.timer);
    waiting.stop?.();
    waiting.stop = undefined;
  }

  /** Frees the pending slot; the owner record stays for the task's ttl from now. */
  #free(waiting: Waiting): void {
    this.#waiting.delete(waiting);
    const record = this.#records.get(waiting.taskId);
    if (record?.waiting === waiting) {
      record.waiting = undefined;
      record.expiresAt = this.now() + waiting.ttlMs;
    }
  }

  async #decide(waiting: Waiting, decision: ApprovalDecision | 'unwatchable'): Promise<void> {
    if (waiting.settled) return;
    this.#settle(waiting);
    let result: CallToolResultLike | undefined;
    try {
      result = await this.#outcome(waiting, decision);
    } catch (error) {
      this.logger.error('approval task: the approved call could not run', {
        taskId: waiting.taskId,
        error: message(error),
      });
      result = toolErrorResult(new InternalGuardError({ decisionId: waiting.decisionId }));
    } finally {
      // The pending slot stays taken while the call re-runs.
      this.#free(waiting);
    }
    if (result === undefined) return;
    const meta = { ...result._meta, [APPROVAL_META_KEY]: waiting.approvalId };
    await this.finish(waiting.taskId, { ...result, _meta: meta }, waiting.sessionId);
  }

  /** The result a decided task stores, or undefined when it is no longer wanted. */
  async #outcome(
    waiting: Waiting,
    decision: ApprovalDecision | 'unwatchable',
  ): Promise<CallToolResultLike | undefined> {
    if (decision !== 'approved') {
      const error =
        decision === 'unwatchable'
          ? new ApprovalInvalidError('approval cannot be awaited; present it in _meta', {
              reason: 'unwatchable',
              decisionId: waiting.decisionId,
            })
          : new ApprovalInvalidError(`approval ${decision}`, {
              reason: decision,
              decisionId: waiting.decisionId,
            });
      return toolErrorResult(error);
    }
    // The client may have cancelled meanwhile: then the grant stays unconsumed.
    const task = await this.taskStore.getTask(waiting.taskId, waiting.sessionId);
    if (task === null || task.status === 'cancelled' || waiting.controller.signal.aborted) {
      return undefined;
    }
    try {
      await this.taskStore.updateTaskStatus(
        waiting.taskId,
        'working',
        'approved: running the call',
        waiting.sessionId,
      );
    } catch {
      return undefined; // terminal or gone
    }
    // The whole pipeline again, with the approval id: the grant is consumed there, once.
    const result = await waiting.execute(waiting.args, {
      ...waiting.context,
      approvalId: waiting.approvalId,
      signal: waiting.controller.signal,
    });
    return toCallResult(result, waiting.sdkResults) as CallToolResultLike;
  }
}
