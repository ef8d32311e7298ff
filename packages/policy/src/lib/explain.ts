import type { PolicyInput, PolicyOutcome } from '@agentguard/core';
import { evaluationContext } from '../evaluation-context.js';
import { decisionOf, type PolicyExplanation, type PolicyTrace } from '../policy-explanation.js';
import { tracedCondition, type CompileSettings, type CompiledPolicy } from './compiled-policy.js';
import type { Tracer } from './compiler.js';
import type { PolicySet } from './policy-set.js';
import { truthy } from './semantics.js';

function display(loc: string): string {
  return loc === '' ? '$' : loc;
}

function decider(tracer: Tracer, sink: Map<string, number>, loc: string): string {
  for (let depth = 0; depth < 1000; depth += 1) {
    const node = tracer.tree.get(loc);
    const index = sink.get(loc);
    if (!node || index === undefined || index < 0) return display(loc);
    const next = node.children[index];
    if (next === undefined) return display(loc);
    loc = next;
  }
  return display(loc);
}

function trace(
  policy: CompiledPolicy,
  input: PolicyInput,
  context: unknown,
  settings: CompileSettings,
  decisiveIds: ReadonlySet<string>,
): PolicyTrace {
  const base = {
    id: policy.id,
    version: policy.version,
    scope: policy.scope,
    state: policy.state,
    action: policy.actionType,
    decisive: decisiveIds.has(`${policy.scope}\u0000${policy.id}`),
  };
  const targeted = policy.targets(input.tool);
  if (!targeted || policy.state === 'disabled') {
    return { ...base, targeted, evaluated: false, matched: false };
  }
  if (policy.broken) {
    return { ...base, targeted, evaluated: false, matched: true, error: policy.broken.message };
  }
  const traced = tracedCondition(policy, settings);
  if (!traced) {
    return { ...base, targeted, evaluated: true, conditionResult: true, matched: true };
  }
  const sink = new Map<string, number>();
  traced.tracer.sink = sink;
  try {
    const value = traced.evaluate(context);
    return {
      ...base,
      targeted,
      evaluated: true,
      conditionResult: value,
      matched: truthy(value),
      decidedBy: decider(traced.tracer, sink, ''),
    };
  } catch (error) {
    return {
      ...base,
      targeted,
      evaluated: true,
      matched: true,
      error: error instanceof Error ? error.message : 'condition failed',
    };
  } finally {
    traced.tracer.sink = undefined;
  }
}

/** Traces every policy of `sets` against `input`, next to the real outcome. */
export function explainDecision(
  input: PolicyInput,
  sets: readonly PolicySet[],
  outcome: PolicyOutcome,
  settings: CompileSettings,
): PolicyExplanation {
  const context = evaluationContext(input);
  const decisiveIds = new Set(
    outcome.matched.filter((m) => m.decisive === true).map((m) => `${m.scope ?? ''}\u0000${m.id}`),
  );
  const policies = sets.flatMap((set) =>
    set.all.map((policy) => trace(policy, input, context, settings, decisiveIds)),
  );
  return { decision: decisionOf(outcome), outcome, policies };
}
