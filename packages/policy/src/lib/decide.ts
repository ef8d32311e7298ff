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
import { evaluationContext, type EvaluationContext } from '../evaluation-context.js';
import type { CompiledPolicy } from './compiled-policy.js';
import type { PolicySet } from './policy-set.js';
import { truthy } from './semantics.js';

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

/** One policy that matched (or failed) during a decision. */
export interface Hit {
  readonly policy: CompiledPolicy;
  /** True when the condition threw or the policy did not compile: it fails closed. */
  readonly failed: boolean;
}

/** Evaluates one policy's condition against the context. */
export function conditionHolds(
  policy: CompiledPolicy,
  context: EvaluationContext,
): boolean | 'error' {
  if (policy.broken) return 'error';
  if (policy.condition === undefined) return true;
  try {
    return truthy(policy.condition(context));
  } catch {
    return 'error';
  }
}

/**
 * Builds a rejection without capturing a stack trace: a denial is an answer, not a bug, and
 * capturing the stack costs more than evaluating the policies.
 */
function rejection<E>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Combines the hits into the engine's answer (deny > step-up > approval > allow). */
export function combine(
  input: PolicyInput,
  hits: readonly Hit[],
  defaultDecision: DefaultDecision,
): PolicyOutcome {
  let failed: CompiledPolicy | undefined;
  let deny: CompiledPolicy | undefined;
  let approval: CompiledPolicy | undefined;
  let globalAllow: CompiledPolicy | undefined;
  let stepUps: CompiledPolicy[] | undefined;
  let firstUnmet: CompiledPolicy | undefined;
  let masks: string[] | undefined;
  for (const { policy, failed: broke } of hits) {
    if (policy.monitor) continue;
    if (broke) {
      failed ??= policy;
      continue;
    }
    const action = policy.action;
    switch (action.type) {
      case 'deny':
        deny ??= policy;
        break;
      case 'step_up':
        (stepUps ??= []).push(policy);
        if (!firstUnmet && !stepUpMet(action.requirement, input.principal, input.now)) {
          firstUnmet = policy;
        }
        break;
      case 'require_approval':
        approval ??= policy;
        break;
      case 'mask':
        masks ??= [];
        if (!masks.includes(action.profile)) masks.push(action.profile);
        break;
      default:
        // A tenant `allow` is recorded but never lifts anything: only global ones count.
        if (policy.scope === 'global') globalAllow ??= policy;
    }
  }
  const decisive = failed ?? deny ?? firstUnmet ?? approval ?? globalAllow;
  const matched = hits.map(({ policy }) => toMatch(policy, policy === decisive));
  if (failed) {
    return {
      ok: false,
      matched,
      error: rejection(() => new PolicyDeniedError(undefined, { reason: 'policy_error' })),
    };
  }
  if (deny) {
    return {
      ok: false,
      matched,
      error: rejection(() => new PolicyDeniedError(undefined, { reason: deny.id })),
    };
  }
  const requirement = stepUps
    ? mergeRequirements(
        stepUps.map((p) => (p.action as { requirement: StepUpChallenge }).requirement),
      )
    : undefined;
  if (firstUnmet && requirement) {
    return {
      ok: false,
      matched,
      error: rejection(() => new StepUpRequiredError(requirement, { reason: firstUnmet.id })),
    };
  }
  if (defaultDecision === 'deny' && !globalAllow) {
    return {
      ok: false,
      matched,
      error: rejection(() => new PolicyDeniedError(undefined, { reason: 'no_policy_allows' })),
    };
  }
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

function toMatch(policy: CompiledPolicy, decisive: boolean): PolicyMatch {
  return {
    id: policy.id,
    version: policy.version,
    action: policy.actionType,
    scope: policy.scope,
    monitor: policy.monitor,
    decisive,
  };
}

/** Runs every targeted policy of `sets` (global first, then the tenant's) and combines. */
export function decide(
  input: PolicyInput,
  sets: readonly PolicySet[],
  defaultDecision: DefaultDecision,
  logger: Logger,
): PolicyOutcome {
  let context: EvaluationContext | undefined;
  let hits: Hit[] | undefined;
  for (const set of sets) {
    const policies = set.forTool(input.tool);
    for (const policy of policies) {
      let holds: boolean | 'error';
      if (policy.condition === undefined && !policy.broken) holds = true;
      else {
        context ??= evaluationContext(input);
        holds = conditionHolds(policy, context);
      }
      if (holds === false) continue;
      if (holds === 'error') {
        logger.error('policy condition failed', {
          policyId: policy.id,
          scope: policy.scope,
          monitor: policy.monitor,
        });
      }
      (hits ??= []).push({ policy, failed: holds === 'error' });
    }
  }
  return combine(input, hits ?? [], defaultDecision);
}
