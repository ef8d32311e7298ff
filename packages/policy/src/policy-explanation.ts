import type { PolicyOutcome } from '@agentguard/core';
import type { PolicyActionType } from './policy-schema.js';

/** The outcome of a decision in one word. */
export type PolicyDecision = 'allow' | 'deny' | 'step_up' | 'require_approval';

/** How one policy fared on a call. */
export interface PolicyTrace {
  readonly id: string;
  readonly version: string | number | undefined;
  readonly scope: string;
  readonly state: 'enabled' | 'disabled' | 'monitor';
  readonly action: PolicyActionType;
  /** Whether the policy's target (tools, tags, operations) covers the call. */
  readonly targeted: boolean;
  /** Whether the condition was evaluated (targeted and not disabled). */
  readonly evaluated: boolean;
  /** The condition's value (`true` when the policy has no condition). */
  readonly conditionResult?: unknown;
  /** Targeted, not disabled, and the condition was truthy (or failed: fail closed). */
  readonly matched: boolean;
  /**
   * Where in the rule the result was decided: the first false operand of an `and`, the first
   * true operand of an `or`, the taken branch of an `if`; the node itself otherwise. `$` is
   * the whole rule.
   */
  readonly decidedBy?: string | undefined;
  /** Why the condition could not be evaluated. */
  readonly error?: string | undefined;
  /** True when this policy decided the outcome. */
  readonly decisive: boolean;
}

/** What `explain` answers. */
export interface PolicyExplanation {
  readonly decision: PolicyDecision;
  readonly outcome: PolicyOutcome;
  /** Every policy that applies to the caller's scope, in evaluation order. */
  readonly policies: readonly PolicyTrace[];
}

/**
 * The decision an outcome stands for.
 *
 * @example
 * decisionOf(await engine.evaluate(input)); // 'allow' | 'deny' | 'step_up' | 'require_approval'
 */
export function decisionOf(outcome: PolicyOutcome): PolicyDecision {
  if (!outcome.ok) return outcome.error.code === 'step_up_required' ? 'step_up' : 'deny';
  return outcome.obligations?.approval ? 'require_approval' : 'allow';
}
