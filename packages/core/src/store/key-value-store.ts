import type { MaybePromise } from '../result.js';

/**
 * The small key-value contract that stateful packages (approvals, replay nonces, revocation)
 * build on. Values are strings so every backend (memory, Redis) stores them the same way.
 * Keys must already be scoped by tenant by the caller.
 */
export interface KeyValueStore {
  get(key: string): MaybePromise<string | undefined>;
  /** Sets `value`; with `ttlMs` the key expires after that many milliseconds. */
  set(key: string, value: string, ttlMs?: number): MaybePromise<void>;
  /** Deletes the key; true when it existed. */
  delete(key: string): MaybePromise<boolean>;
  /**
   * Adds `by` to the integer at `key` (missing counts as 0) and returns the new value,
   * atomically. `ttlMs` applies when the key is created.
   */
  increment(key: string, by?: number, ttlMs?: number): MaybePromise<number>;
  /**
   * Sets `next` only when the current value equals `expected` (`undefined`: only when the key
   * is absent), atomically. True when it was set. `next === undefined` deletes on match.
   */
  compareAndSet(
    key: string,
    expected: string | undefined,
    next: string | undefined,
    ttlMs?: number,
  ): MaybePromise<boolean>;
}
