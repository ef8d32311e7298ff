import {
  PolicyDeniedError,
  StepUpRequiredError,
  type Logger,
  type ObligationsPatch,
  type PolicyInput,
  type PolicyMatch,
  type PolicyOutcome,
  type Principal,
  type StepUpChallenge,
} from '@agentguard/core';
import type { DefaultDecision } from '../policy-engine.js';
import type { CompiledPolicy } from './compiled-policy.js';
import type { PolicySet } from './policy-set.js';
import { nextCall } from './shared-tests.js';

/** Whether the principal meets a step-up requirement now. */
export function stepUpMet(
  requirement: StepUpChallenge,
  principal: Principal,
  now: number,
): boolean {
  const auth = principal.authLevel;
  if (
    requirement.acrValues &&
    (auth.acr === undefined || !requirement.acrValues.includes(auth.acr))
  ) {
    return false;
  }
  if (requirement.maxAge !== undefined) {
    if (auth.authTime === undefined) return false;
    const age = now / 1000 - auth.authTime;
    if (age > requirement.maxAge) return false;
  }
  if (requirement.scopes && !requirement.scopes.every((s) => principal.scopes.includes(s))) {
    return false;
  }
  return true;
}

/**
 * Merges step-up requirements into one: every requirement must hold, so acceptable `acr`
 * values intersect (the first requirement's list when they have none in common), the
 * smallest `max_age` wins and scopes add up.
 */
export function mergeRequirements(requirements: readonly StepUpChallenge[]): StepUpChallenge {
  let acrValues: readonly string[] | undefined;
  let maxAge: number | undefined;
  const scopes: string[] = [];
  for (const r of requirements) {
    if (r.acrValues) {
      if (acrValues === undefined) acrValues = r.acrValues;
      else {
        const common = acrValues.filter((v) => r.acrValues!.includes(v));
        if (common.length > 0) acrValues = common;
      }
    }
    if (r.maxAge !== undefined)
      maxAge = maxAge === undefined ? r.maxAge : Math.min(maxAge, r.maxAge);
    if (r.scopes) for (const s of r.scopes) if (!scopes.includes(s)) scopes.push(s);
  }
  return {
    ...(acrValues ? { acrValues } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(scopes.length > 0 ? { scopes } : {}),
  };
}

/**
 * Builds a rejection without capturing a stack trace: a denial is an answer, not a bug, and
 * capturing the stack costs more than evaluating the policies.
 */
function denied(reason: string): PolicyDeniedError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new PolicyDeniedError(undefined, { reason });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** {@link denied}, for an unmet step-up requirement. */
function stepUpRequired(requirement: StepUpChallenge, reason: string): StepUpRequiredError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new StepUpRequiredError(requirement, { reason });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

const NOTHING_MATCHED: PolicyOutcome = Object.freeze({ ok: true, matched: Object.freeze([]) });

/**
 * The policies that matched one call, in order, and the first of each kind that can decide
 * (deny > unmet step-up > approval > global allow; a failing condition beats them all).
 */
class Tally {
  readonly matched: PolicyMatch[] = [];
  failed: CompiledPolicy | undefined;
  failedAt = -1;
  deny: CompiledPolicy | undefined;
  denyAt = -1;
  unmet: CompiledPolicy | undefined;
  unmetAt = -1;
  approval: CompiledPolicy | undefined;
  approvalAt = -1;
  globalAllow: CompiledPolicy | undefined;
  globalAllowAt = -1;
  stepUps: StepUpChallenge[] | undefined;
  masks: string[] | undefined;

  add(policy: CompiledPolicy, failed: boolean, input: PolicyInput): void {
    const at = this.matched.length;
    this.matched.push(policy.match);
    if (policy.monitor) return;
    if (failed) {
      if (this.failed === undefined) {
        this.failed = policy;
        this.failedAt = at;
      }
      return;
    }
    const action = policy.action;
    switch (action.type) {
      case 'deny':
        if (this.deny === undefined) {
          this.deny = policy;
          this.denyAt = at;
        }
        break;
      case 'step_up':
        (this.stepUps ??= []).push(action.requirement);
        if (
          this.unmet === undefined &&
          !stepUpMet(action.requirement, input.principal, input.now)
        ) {
          this.unmet = policy;
          this.unmetAt = at;
        }
        break;
      case 'require_approval':
        if (this.approval === undefined) {
          this.approval = policy;
          this.approvalAt = at;
        }
        break;
      case 'mask': {
        const masks = (this.masks ??= []);
        if (!masks.includes(action.profile)) masks.push(action.profile);
        break;
      }
      default:
        // A tenant `allow` is recorded but never lifts anything: only global ones count.
        if (policy.scope === 'global' && this.globalAllow === undefined) {
          this.globalAllow = policy;
          this.globalAllowAt = at;
        }
    }
  }

  outcome(defaultDecision: DefaultDecision): PolicyOutcome {
    const matched = this.matched;
    const { failed, deny, unmet, approval, globalAllow } = this;
    const decisive = failed ?? deny ?? unmet ?? approval ?? globalAllow;
    if (decisive !== undefined) {
      const at =
        decisive === failed
          ? this.failedAt
          : decisive === deny
            ? this.denyAt
            : decisive === unmet
              ? this.unmetAt
              : decisive === approval
                ? this.approvalAt
                : this.globalAllowAt;
      matched[at] = decisive.decisiveMatch;
    }
    if (failed) {
      return {
        ok: false,
        matched,
        error: denied('policy_error'),
      };
    }
    if (deny) {
      return {
        ok: false,
        matched,
        error: denied(deny.id),
      };
    }
    const requirement = this.stepUps ? mergeRequirements(this.stepUps) : undefined;
    if (unmet && requirement) {
      return {
        ok: false,
        matched,
        error: stepUpRequired(requirement, unmet.id),
      };
    }
    if (defaultDecision === 'deny' && !globalAllow) return noPolicyAllows(matched);
    const masks = this.masks;
    if (!masks && !requirement && !approval) return { ok: true, matched };
    const obligations: { -readonly [K in keyof ObligationsPatch]: ObligationsPatch[K] } = {};
    if (masks) obligations.maskProfiles = masks;
    if (requirement) obligations.stepUp = requirement;
    if (approval) {
      obligations.approval = {
        flowId: (approval.action as { flowId: string }).flowId,
        policyId: approval.id,
      };
    }
    return { ok: true, matched, obligations };
  }
}

function noPolicyAllows(matched: readonly PolicyMatch[]): PolicyOutcome {
  return {
    ok: false,
    matched,
    error: denied('no_policy_allows'),
  };
}

/**
 * Runs every targeted policy of `sets` (global first, then the tenant's) and combines. The
 * targeted policies of a tool are cached by the sets; conditions read the input directly.
 */
export function decide(
  input: PolicyInput,
  sets: readonly PolicySet[],
  defaultDecision: DefaultDecision,
  logger: Logger,
): PolicyOutcome {
  let tally: Tally | undefined;
  const tool = input.tool;
  const call = nextCall();
  for (let s = 0; s < sets.length; s += 1) {
    const policies = sets[s]!.forTool(tool);
    for (let i = 0; i < policies.length; i += 1) {
      const policy = policies[i]!;
      const tests = policy.tests;
      let failed = policy.broken !== undefined;
      if (tests !== undefined) {
        let holds = true;
        try {
          for (let t = 0; t < tests.length; t += 1) {
            if (!tests[t]!(input, call)) {
              holds = false;
              break;
            }
          }
        } catch {
          failed = true;
        }
        if (!holds) continue;
      }
      if (failed) {
        logger.error('policy condition failed', {
          policyId: policy.id,
          scope: policy.scope,
          monitor: policy.monitor,
        });
      }
      (tally ??= new Tally()).add(policy, failed, input);
    }
  }
  if (tally) return tally.outcome(defaultDecision);
  return defaultDecision === 'deny' ? noPolicyAllows([]) : NOTHING_MATCHED;
}
