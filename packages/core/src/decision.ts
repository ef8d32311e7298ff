import type { GuardError, GuardErrorCode, HookFailureKind, StageName } from './errors.js';
import type { Obligations } from './obligations.js';
import type { PolicyMatch } from './stages.js';

/** How a call ended. */
export type Outcome = 'allowed' | 'rejected' | 'error';

/** A hook that failed or rejected, and what the fail mode made of it. */
export interface HookFailure {
  readonly hook: string;
  readonly phase: 'before' | 'after';
  readonly kind: HookFailureKind;
  readonly failMode: 'open' | 'closed';
  /** True when the call went on anyway (fail-open). */
  readonly bypassed: boolean;
}

/** Everything the guard decided about one call, in the order it decided it. */
export interface Decision {
  readonly decisionId: string;
  /** W3C trace id (32 lower-case hex digits). */
  readonly traceId: string;
  readonly tool: string;
  readonly outcome: Outcome;
  /** Code of the rejection or error; absent when allowed. */
  readonly code?: GuardErrorCode | undefined;
  /** Machine-readable detail of the rejection (for example `expired`). */
  readonly reason?: string | undefined;
  /** The stage that rejected, or `handler` for a handler error. */
  readonly stage?: StageName | undefined;
  readonly tenantId?: string | undefined;
  readonly subject?: string | undefined;
  readonly matchedRules: readonly string[];
  readonly matchedPolicies: readonly PolicyMatch[];
  readonly obligations: Obligations;
  readonly approvalId?: string | undefined;
  readonly hookFailures: readonly HookFailure[];
  /** Milliseconds spent in each stage that ran, to the microsecond. */
  readonly timings: Readonly<Partial<Record<StageName, number>>>;
  /** Milliseconds from arrival to the end of the pipeline, to the microsecond. */
  readonly latencyMs: number;
}

/** The outcome of a call refused or failed with `error`: a handler or guard failure is an `error`. */
export function outcomeOf(error: GuardError): Outcome {
  return error.code === 'handler_error' || error.code === 'internal_error' ? 'error' : 'rejected';
}
