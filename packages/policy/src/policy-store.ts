import type { MaybePromise } from '@agentguard/core';
import type { Policy, PolicyDefinition } from './policy-schema.js';

/** A policy as a store keeps it: every `put` bumps its version. */
export type StoredPolicy = Policy & {
  /** 1 on creation, +1 on every update. */
  readonly version: number;
  /** Milliseconds since the epoch of the last change. */
  readonly updatedAt: number;
  /** Who made the last change. */
  readonly updatedBy: string;
};

/** Options of {@link PolicyStore.put}. */
export interface PolicyStorePutOptions {
  /** Who makes the change (recorded as `updatedBy`). */
  readonly actor: string;
}

/** Options of {@link PolicyStore.remove}. */
export interface PolicyStoreRemoveOptions {
  /** `global` or the tenant id that owns the policy. */
  readonly scope: string;
  /** Who makes the change. */
  readonly actor: string;
}

/**
 * Where policies changed at run time live. Policy ids are unique within a scope (`global` or a
 * tenant id). The engine asks `revision(scope)` on each call and re-lists (recompiling only
 * changed policies) when it moved, so changes apply without a restart.
 */
export interface PolicyStore {
  /** A number that changes whenever the scope's policies change. Cheap: called per call. */
  revision(scope: string): MaybePromise<number>;
  /** The policies of one scope, in evaluation order. */
  list(scope: string): MaybePromise<readonly StoredPolicy[]>;
  /** Creates or replaces a policy (validated); returns it with its new version. */
  put(policy: PolicyDefinition, options: PolicyStorePutOptions): MaybePromise<StoredPolicy>;
  /** Removes a policy; false when it did not exist. */
  remove(id: string, options: PolicyStoreRemoveOptions): MaybePromise<boolean>;
}
