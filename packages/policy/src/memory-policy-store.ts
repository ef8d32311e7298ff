import { GuardConfigError } from '@agentguard/core';
import { compileJsonLogic, DEFAULT_RULE_LIMITS } from './compile-json-logic.js';
import { parsePolicy } from './lib/parse-policy.js';
import type { OperationRegistry } from './operation-registry.js';
import { policyOperations } from './policy-operations.js';
import type { PolicyDefinition } from './policy-schema.js';
import type {
  PolicyStore,
  PolicyStorePutOptions,
  PolicyStoreRemoveOptions,
  StoredPolicy,
} from './policy-store.js';

/** Options of {@link MemoryPolicyStore}. */
export interface MemoryPolicyStoreOptions {
  /** Operations conditions may use (checked on `put`). Default `policyOperations()`. */
  readonly operations?: OperationRegistry | undefined;
  /** Most policies one scope may hold; `put` beyond throws. Default 1,000. */
  readonly maxPoliciesPerScope?: number | undefined;
  /** Most scopes (tenants + global) the store holds; `put` beyond throws. Default 100,000. */
  readonly maxScopes?: number | undefined;
  /** Clock in milliseconds, for tests. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

interface Scope {
  revision: number;
  readonly policies: Map<string, StoredPolicy>;
  snapshot: readonly StoredPolicy[] | undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * A {@link PolicyStore} in memory: versioned, validated on `put` (schema and condition
 * compilation), bounded. For one process; share a database-backed store across instances.
 *
 * @example
 * const store = new MemoryPolicyStore();
 * const engine = policyEngine({ store });
 * await store.put({ id: 'no-exports', scope: 'acme', action: 'deny', target: { tools: ['export.*'] } }, { actor: 'admin@acme' });
 */
export class MemoryPolicyStore implements PolicyStore {
  readonly #scopes = new Map<string, Scope>();
  readonly #operations: OperationRegistry;
  readonly #maxPerScope: number;
  readonly #maxScopes: number;
  readonly #now: () => number;

  constructor(options: MemoryPolicyStoreOptions = {}) {
    this.#operations = options.operations ?? policyOperations();
    this.#maxPerScope = options.maxPoliciesPerScope ?? 1000;
    this.#maxScopes = options.maxScopes ?? 100_000;
    for (const [key, value] of [
      ['maxPoliciesPerScope', this.#maxPerScope],
      ['maxScopes', this.#maxScopes],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new GuardConfigError('must be a positive integer', { path: key });
      }
    }
    this.#now = options.now ?? Date.now;
  }

  revision(scope: string): number {
    return this.#scopes.get(scope)?.revision ?? 0;
  }

  list(scope: string): readonly StoredPolicy[] {
    const entry = this.#scopes.get(scope);
    if (!entry) return [];
    entry.snapshot ??= Object.freeze([...entry.policies.values()]);
    return entry.snapshot;
  }

  put(policy: PolicyDefinition, options: PolicyStorePutOptions): StoredPolicy {
    const parsed = parsePolicy(policy, 'policy');
    if (parsed.condition !== undefined) {
      compileJsonLogic(parsed.condition, {
        operations: this.#operations,
        path: 'policy.condition',
        ...DEFAULT_RULE_LIMITS,
      });
    }
    if (typeof options.actor !== 'string' || options.actor === '') {
      throw new GuardConfigError('actor is required', { path: 'actor' });
    }
    let entry = this.#scopes.get(parsed.scope);
    if (!entry) {
      if (this.#scopes.size >= this.#maxScopes) {
        throw new GuardConfigError('too many policy scopes', { path: 'policy.scope' });
      }
      entry = { revision: 0, policies: new Map(), snapshot: undefined };
      this.#scopes.set(parsed.scope, entry);
    }
    const previous = entry.policies.get(parsed.id);
    if (!previous && entry.policies.size >= this.#maxPerScope) {
      throw new GuardConfigError('too many policies in this scope', { path: 'policy.id' });
    }
    const stored: StoredPolicy = deepFreeze({
      ...structuredClone(parsed),
      version: (previous?.version ?? 0) + 1,
      updatedAt: this.#now(),
      updatedBy: options.actor,
    });
    entry.policies.set(parsed.id, stored);
    entry.revision += 1;
    entry.snapshot = undefined;
    return stored;
  }

  remove(id: string, options: PolicyStoreRemoveOptions): boolean {
    const entry = this.#scopes.get(options.scope);
    if (!entry?.policies.delete(id)) return false;
    entry.revision += 1;
    entry.snapshot = undefined;
    return true;
  }
}
