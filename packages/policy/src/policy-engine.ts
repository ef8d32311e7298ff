import {
  GuardConfigError,
  PolicyDeniedError,
  silentLogger,
  type Logger,
  type MaybePromise,
  type PolicyEngine,
  type PolicyInput,
  type PolicyOutcome,
} from '@agentguard/core';
import { DEFAULT_RULE_LIMITS } from './compile-json-logic.js';
import { compilePolicy, type CompileSettings, type CompiledPolicy } from './lib/compiled-policy.js';
import { decide } from './lib/decide.js';
import { explainDecision } from './lib/explain.js';
import { parsePolicy } from './lib/parse-policy.js';
import { EMPTY_SET, PolicySet } from './lib/policy-set.js';
import type { OperationRegistry } from './operation-registry.js';
import { policyOperations } from './policy-operations.js';
import type { PolicyExplanation } from './policy-explanation.js';
import type { PolicyDefinition } from './policy-schema.js';
import type { PolicyStore, StoredPolicy } from './policy-store.js';

/** What the engine does when no policy allows or restricts a call. */
export type DefaultDecision = 'allow' | 'deny';

/** Options of {@link policyEngine}. */
export interface PolicyEngineOptions {
  /** Shown in audit events. Default `policy`. */
  readonly name?: string | undefined;
  /**
   * Policies in code or from the config file (see `policiesFromConfig`). Validated and
   * compiled here: an invalid policy or rule throws a `GuardConfigError` naming its path.
   * Default: none.
   */
  readonly policies?: readonly PolicyDefinition[] | undefined;
  /**
   * Policies changed at run time. Asked for its revision of `global` and of the caller's tenant
   * on each call; changed policies are recompiled, unchanged ones reused. Default: none.
   */
  readonly store?: PolicyStore | undefined;
  /** Operations conditions may use. Default `policyOperations()` (the policy helpers). */
  readonly operations?: OperationRegistry | undefined;
  /**
   * The decision when no enforced policy restricts the call and no global `allow` matched.
   * Default `allow`: access control (stage 2) already refused unknown callers, policies add
   * conditions. With `deny`, only a matching *global* `allow` lets a call through.
   */
  readonly defaultDecision?: DefaultDecision | undefined;
  /** Deepest nesting of a condition. Default 64. */
  readonly maxDepth?: number | undefined;
  /** Most values in one condition. Default 10,000. */
  readonly maxNodes?: number | undefined;
  /** Most tenants whose compiled store policies are kept in memory. Default 10,000. */
  readonly maxCachedTenants?: number | undefined;
  /** Told of conditions that fail and of store errors. Default: silent. */
  readonly logger?: Logger | undefined;
}

/** The policy stage, with `explain`. */
export interface PolicyEvaluator extends PolicyEngine {
  /**
   * Per policy: targeted or not, the condition's value, which sub-condition decided, whether
   * it decided the outcome; and the final decision.
   */
  explain(input: PolicyInput): Promise<PolicyExplanation>;
}

interface ScopeEntry {
  readonly revision: number;
  readonly set: PolicySet;
  readonly compiled: ReadonlyMap<string, CompiledPolicy>;
}

function positiveInt(value: number | undefined, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new GuardConfigError('must be a positive integer', { path });
  }
  return value;
}

function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/**
 * Creates the policy stage: conditional policies with json-logic conditions compiled once.
 * Every targeted, enabled policy is evaluated, global ones first, then the caller's tenant's;
 * the most restrictive wins (deny > step_up > require_approval > allow); masking profiles,
 * the step-up requirement and the approval flow accumulate as obligations; `monitor`
 * policies are recorded, never enforced; a tenant policy can only restrict. A condition that
 * throws fails closed (`policy_denied`, reason `policy_error`).
 *
 * @example
 * const guard = createGuard({
 *   authenticator,
 *   accessControl,
 *   policy: policyEngine({
 *     policies: [
 *       { id: 'big-refunds', target: { tools: ['payments.refund'] },
 *         condition: { '>': [{ var: 'args.amount' }, 1000] },
 *         action: { type: 'require_approval', flowId: 'finance' } },
 *     ],
 *   }),
 * });
 */
export function policyEngine(options: PolicyEngineOptions = {}): PolicyEvaluator {
  const name = options.name ?? 'policy';
  const logger = options.logger ?? silentLogger;
  const defaultDecision = options.defaultDecision ?? 'allow';
  if (!['allow', 'deny'].includes(defaultDecision)) {
    throw new GuardConfigError('must be allow or deny', { path: 'defaultDecision' });
  }
  const settings: CompileSettings = {
    operations: options.operations ?? policyOperations(),
    maxDepth: positiveInt(options.maxDepth, DEFAULT_RULE_LIMITS.maxDepth, 'maxDepth'),
    maxNodes: positiveInt(options.maxNodes, DEFAULT_RULE_LIMITS.maxNodes, 'maxNodes'),
  };
  const maxCachedTenants = positiveInt(options.maxCachedTenants, 10_000, 'maxCachedTenants');
  const store = options.store;

  // Policies in code: validated and compiled now.
  const staticGlobal: CompiledPolicy[] = [];
  const staticTenants = new Map<string, CompiledPolicy[]>();
  const seen = new Set<string>();
  (options.policies ?? []).forEach((definition, i) => {
    const path = `policies[${i}]`;
    const policy = parsePolicy(definition, path);
    const key = `${policy.scope}\u0000${policy.id}`;
    if (seen.has(key)) throw new GuardConfigError('duplicate policy id', { path: `${path}.id` });
    seen.add(key);
    const compiled = compilePolicy(policy, settings, path);
    if (policy.scope === 'global') staticGlobal.push(compiled);
    else {
      let list = staticTenants.get(policy.scope);
      if (!list) staticTenants.set(policy.scope, (list = []));
      list.push(compiled);
    }
  });
  const globalSet = staticGlobal.length > 0 ? new PolicySet(staticGlobal, settings) : EMPTY_SET;
  const tenantSets = new Map(
    [...staticTenants].map(([t, list]) => [t, new PolicySet(list, settings)]),
  );
  // Without a store the sets of a tenant never change: built once, not per call.
  const globalOnly: readonly PolicySet[] = Object.freeze([globalSet]);
  const staticSets = new Map(
    [...tenantSets].map(([t, set]) => [t, Object.freeze([globalSet, set])] as const),
  );

  // Store policies: compiled per scope on first use and whenever the scope's revision moves.
  const scopes = new Map<string, ScopeEntry>();

  function build(scope: string, revision: number, listed: readonly StoredPolicy[]): PolicySet {
    const previous = scopes.get(scope)?.compiled;
    const compiled = new Map<string, CompiledPolicy>();
    const policies: CompiledPolicy[] = [];
    for (const stored of listed) {
      // A store must never hand one scope's policies to another; refuse them if it does.
      if (stored.scope !== scope || compiled.has(stored.id)) continue;
      const reuse = previous?.get(stored.id);
      const policy =
        reuse !== undefined && reuse.version === stored.version && reuse.source === stored
          ? reuse
          : compilePolicy(stored, settings, `store[${scope}].${stored.id}`, true);
      if (policy.broken) {
        logger.error('stored policy does not compile', { policyId: stored.id, scope });
      }
      compiled.set(stored.id, policy);
      policies.push(policy);
    }
    const set = policies.length > 0 ? new PolicySet(policies, settings) : EMPTY_SET;
    scopes.delete(scope);
    if (scopes.size >= maxCachedTenants) {
      const oldest = scopes.keys().next();
      if (!oldest.done) scopes.delete(oldest.value);
    }
    scopes.set(scope, { revision, set, compiled });
    return set;
  }

  function load(scope: string): MaybePromise<PolicySet> {
    if (!store) return EMPTY_SET;
    const entry = scopes.get(scope);
    const revision = store.revision(scope);
    const withRevision = (rev: number): MaybePromise<PolicySet> => {
      if (entry && entry.revision === rev) return entry.set;
      const listed = store.list(scope);
      return isPromise(listed)
        ? listed.then((l) => build(scope, rev, l))
        : build(scope, rev, listed);
    };
    return isPromise(revision) ? revision.then(withRevision) : withRevision(revision);
  }

  function setsFor(tenant: string): MaybePromise<readonly PolicySet[]> {
    if (!store) return (staticSets.size === 0 ? undefined : staticSets.get(tenant)) ?? globalOnly;
    const staticTenant = tenant === 'global' ? undefined : tenantSets.get(tenant);
    const storeGlobal = load('global');
    const storeTenant = tenant === 'global' ? EMPTY_SET : load(tenant);
    const assemble = (g: PolicySet, t: PolicySet): PolicySet[] => [
      globalSet,
      g,
      staticTenant ?? EMPTY_SET,
      t,
    ];
    if (isPromise(storeGlobal) || isPromise(storeTenant)) {
      return Promise.all([storeGlobal, storeTenant]).then(([g, t]) => assemble(g, t));
    }
    return assemble(storeGlobal, storeTenant);
  }

  function storeFailure(error: unknown): PolicyOutcome {
    logger.error('policy store unavailable', {
      error: error instanceof Error ? error.message : 'unknown',
    });
    return {
      ok: false,
      matched: [],
      error: new PolicyDeniedError(undefined, { reason: 'policy_store_unavailable' }),
    };
  }

  function evaluate(input: PolicyInput): MaybePromise<PolicyOutcome> {
    let sets: MaybePromise<readonly PolicySet[]>;
    try {
      sets = setsFor(input.principal.tenantId);
    } catch (error) {
      return storeFailure(error);
    }
    if (isPromise(sets)) {
      return sets.then((s) => decide(input, s, defaultDecision, logger), storeFailure);
    }
    return decide(input, sets, defaultDecision, logger);
  }

  async function explain(input: PolicyInput): Promise<PolicyExplanation> {
    const sets = await setsFor(input.principal.tenantId);
    const outcome = decide(input, sets, defaultDecision, logger);
    return explainDecision(input, sets, outcome, settings);
  }

  return { kind: 'policy', name, evaluate, explain };
}
