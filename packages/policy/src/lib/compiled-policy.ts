import {
  compileToolPatterns,
  GuardConfigError,
  type PolicyMatch,
  type StepUpChallenge,
  type ToolInfo,
} from '@agentguard/core';
import type { Policy, PolicyActionDefinition, PolicyActionType } from '../policy-schema.js';
import {
  compileCondition,
  compileRule,
  type Conjunct,
  type Evaluate,
  type Tracer,
} from './compiler.js';
import { INPUT_ACCESS } from './context-paths.js';
import type { CallTest } from './shared-tests.js';
import type { OperationRegistry } from '../operation-registry.js';

/** An action with its parameters, normalised. */
export type Action =
  | { readonly type: 'deny' }
  | { readonly type: 'allow' }
  | { readonly type: 'step_up'; readonly requirement: StepUpChallenge }
  | { readonly type: 'require_approval'; readonly flowId: string }
  | { readonly type: 'mask'; readonly profile: string };

/** A policy ready to evaluate. */
export interface CompiledPolicy {
  readonly id: string;
  readonly version: string | number | undefined;
  readonly scope: string;
  readonly state: Policy['state'];
  readonly monitor: boolean;
  readonly action: Action;
  readonly actionType: PolicyActionType;
  readonly targets: (tool: ToolInfo) => boolean;
  /**
   * The condition, as tests that must all hold for a call (the operands of a top-level `and`;
   * they read the call input directly). Undefined when the policy has no condition (it applies
   * to every targeted call) or does not compile.
   */
  readonly tests: readonly CallTest[] | undefined;
  /** The same tests with the rules they come from (to share them between policies). */
  readonly conjuncts: readonly Conjunct[] | undefined;
  /** How a decision lists this policy, not decisive / decisive (frozen, shared by calls). */
  readonly match: PolicyMatch;
  readonly decisiveMatch: PolicyMatch;
  /** Set when a stored policy failed to compile: it then fails closed. */
  readonly broken: GuardConfigError | undefined;
  readonly source: Policy;
  /** The traced variant, compiled on first `explain`. */
  traced?: { readonly evaluate: Evaluate; readonly tracer: Tracer } | undefined;
}

/** Settings shared by every compiled policy of an engine. */
export interface CompileSettings {
  readonly operations: OperationRegistry;
  readonly maxDepth: number;
  readonly maxNodes: number;
}

function normaliseAction(action: PolicyActionDefinition): Action {
  if (typeof action === 'string') return { type: action };
  switch (action.type) {
    case 'step_up': {
      const requirement: { -readonly [K in keyof StepUpChallenge]: StepUpChallenge[K] } = {};
      if (action.acrValues) requirement.acrValues = Object.freeze([...action.acrValues]);
      if (action.maxAge !== undefined) requirement.maxAge = action.maxAge;
      if (action.scopes) requirement.scopes = Object.freeze([...action.scopes]);
      return { type: 'step_up', requirement: Object.freeze(requirement) };
    }
    case 'require_approval':
      return { type: 'require_approval', flowId: action.flowId };
    case 'mask':
      return { type: 'mask', profile: action.profile };
    default:
      return { type: action.type };
  }
}

function compileTarget(policy: Policy): (tool: ToolInfo) => boolean {
  const target = policy.target;
  if (!target) return () => true;
  const names = target.tools ? compileToolPatterns(target.tools) : undefined;
  const tags = target.tags ? new Set(target.tags) : undefined;
  const operations = target.operations ? new Set<string>(target.operations) : undefined;
  return (tool) =>
    (names === undefined || names(tool.name)) &&
    (operations === undefined || operations.has(tool.operation)) &&
    (tags === undefined || tool.tags.some((tag) => tags.has(tag)));
}

/**
 * Compiles a validated policy. With `tolerant`, a condition that does not compile yields a
 * policy marked `broken` (it fails closed) instead of throwing: for policies loaded from a
 * store at run time.
 */
export function compilePolicy(
  policy: Policy,
  settings: CompileSettings,
  path: string,
  tolerant = false,
): CompiledPolicy {
  let conjuncts: readonly Conjunct[] | undefined;
  let broken: GuardConfigError | undefined;
  if (policy.condition !== undefined) {
    try {
      conjuncts = compileCondition(policy.condition, {
        ...settings,
        path: `${path}.condition`,
        root: INPUT_ACCESS,
      }).conjuncts;
    } catch (error) {
      if (!tolerant || !(error instanceof GuardConfigError)) throw error;
      broken = error;
    }
  }
  const action = normaliseAction(policy.action);
  const monitor = policy.state === 'monitor';
  const match = (decisive: boolean): PolicyMatch =>
    Object.freeze({
      id: policy.id,
      version: policy.version,
      action: action.type,
      scope: policy.scope,
      monitor,
      decisive,
    });
  return {
    id: policy.id,
    version: policy.version,
    scope: policy.scope,
    state: policy.state,
    monitor,
    action,
    actionType: action.type,
    targets: compileTarget(policy),
    tests: conjuncts?.map((c) => c.test),
    conjuncts,
    match: match(false),
    decisiveMatch: match(true),
    broken,
    source: policy,
  };
}

/**
 * The facts of a tool that conditions may fold: only for a frozen tool (core freezes the tools
 * it registers), whose facts cannot change after the first call.
 */
export function toolFacts(tool: ToolInfo): ReadonlyMap<string, unknown> | undefined {
  if (!Object.isFrozen(tool) || !Object.isFrozen(tool.tags)) return undefined;
  return new Map<string, unknown>([
    ['tool.name', tool.name],
    ['tool.operation', tool.operation],
    ['tool.sensitivity', tool.sensitivity],
    ['tool.tags', tool.tags],
  ]);
}

/**
 * The policy as it applies to one tool: `undefined` when its condition, with the tool's facts
 * folded in (`tool.name == "crm.read"` decided now), can never hold for the tool; without its
 * condition when that always holds; else unchanged. The unchanged policy keeps its general
 * tests, shared by every tool, rather than a copy specialised per tool: fewer closures to keep
 * warm when calls go to many tools.
 */
export function policyForTool(
  policy: CompiledPolicy,
  facts: ReadonlyMap<string, unknown>,
  settings: CompileSettings,
): CompiledPolicy | undefined {
  const condition = policy.source.condition;
  if (policy.tests === undefined || condition === undefined) return policy;
  let always: boolean | undefined;
  try {
    always = compileCondition(condition, { ...settings, root: INPUT_ACCESS, facts }).always;
  } catch {
    return policy;
  }
  if (always === false) return undefined;
  return always === true ? { ...policy, tests: undefined, conjuncts: undefined } : policy;
}

/** The traced variant of a policy's condition (for `explain`). */
export function tracedCondition(
  policy: CompiledPolicy,
  settings: CompileSettings,
): { readonly evaluate: Evaluate; readonly tracer: Tracer } | undefined {
  if (policy.source.condition === undefined) return undefined;
  if (!policy.traced) {
    const tracer: Tracer = { sink: undefined, tree: new Map() };
    const evaluate = compileRule(policy.source.condition, { ...settings, tracer });
    policy.traced = { evaluate, tracer };
  }
  return policy.traced;
}
