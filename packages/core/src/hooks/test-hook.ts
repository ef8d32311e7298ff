import type { CallContext } from '../call-context.js';
import { createDecisionId } from '../decision-id.js';
import type { HookFailureKind } from '../errors.js';
import type { Obligations } from '../obligations.js';
import type { Principal } from '../principal.js';
import type { ToolInfo } from '../tool.js';
import type { Hook } from './hook.js';
import { runHook } from './run-hook.js';

/** A call to try a hook against. Missing parts get neutral defaults. */
export interface SampleCall {
  readonly tool: string | ToolInfo;
  readonly args?: unknown;
  readonly principal?: Partial<Principal> | undefined;
  readonly context?: CallContext | undefined;
  readonly phase?: 'before' | 'after' | undefined;
  readonly result?: unknown;
}

/** What {@link testHook} reports. */
export interface HookTestReport {
  readonly hook: string;
  /** `passed`, `rejected`, or the failure kind. */
  readonly outcome: 'passed' | 'rejected' | Exclude<HookFailureKind, 'rejected'>;
  /** What the guard would do with this outcome under the hook's fail mode. */
  readonly effect: 'allow' | 'reject';
  readonly failMode: 'open' | 'closed';
  readonly durationMs: number;
  /** The rejection message, or the error's message for a failure (for the developer only). */
  readonly message?: string | undefined;
  readonly obligations?: unknown;
}

/**
 * Runs a hook once against a sample call and reports what happened and how long it took: the
 * "Test" button of a hook editor. Nothing is audited.
 *
 * @example
 * const report = await testHook(myHook, { tool: 'payments.transfer', args: { amount: 5 } });
 * // { outcome: 'passed', effect: 'allow', durationMs: 0.4, … }
 */
export async function testHook(hook: Hook, sample: SampleCall): Promise<HookTestReport> {
  const tool: ToolInfo =
    typeof sample.tool === 'string'
      ? { name: sample.tool, operation: 'read', annotations: {}, tags: [], sensitivity: 'internal' }
      : sample.tool;
  const principal: Principal = {
    subject: 'sample-user',
    tenantId: 'sample-tenant',
    roles: [],
    permissions: [],
    scopes: [],
    authLevel: {},
    claims: {},
    authenticatedBy: 'test',
    ...sample.principal,
  };
  const obligations: Obligations = { maskProfiles: [], annotations: {} };
  const failMode = hook.failMode ?? 'closed';
  const run = await runHook(hook, {
    phase: sample.phase ?? 'before',
    decisionId: createDecisionId(),
    principal,
    tool,
    args: sample.args ?? {},
    context: sample.context ?? {},
    obligations,
    ...(sample.phase === 'after' ? { result: sample.result } : {}),
  });
  if (run.status === 'passed') {
    const verdict = run.verdict;
    return {
      hook: hook.name,
      outcome: 'passed',
      effect: 'allow',
      failMode,
      durationMs: run.durationMs,
      ...(verdict && verdict.action === 'allow' && verdict.obligations
        ? { obligations: verdict.obligations }
        : {}),
    };
  }
  if (run.status === 'rejected') {
    return {
      hook: hook.name,
      outcome: 'rejected',
      effect: 'reject',
      failMode,
      durationMs: run.durationMs,
      message: run.error.message,
    };
  }
  const cause = run.error.cause;
  return {
    hook: hook.name,
    outcome: run.kind,
    effect: failMode === 'open' ? 'allow' : 'reject',
    failMode,
    durationMs: run.durationMs,
    message: cause instanceof Error ? cause.message : run.error.message,
  };
}
