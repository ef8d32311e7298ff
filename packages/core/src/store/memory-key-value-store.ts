import { LRUCache } from 'lru-cache';
import { GuardConfigError } from '../errors.js';
import type { KeyValueStore } from './key-value-store.js';

/** Options of {@link MemoryKeyValueStore}. */
export interface MemoryKeyValueStoreOptions {
  /** Most keys kept; the least recently used are evicted first. Default 100,000. */
  readonly maxKeys?: number | undefined;
  /** Clock in milliseconds, for tests. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * A bounded in-process {@link KeyValueStore}. Operations are synchronous, hence atomic within
 * one process. For several instances, use the Redis store.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #cache: LRUCache<string, string>;

  constructor(options: MemoryKeyValueStoreOptions = {}) {
    const max = options.maxKeys ?? 100_000;
    if (!Number.isInteger(max) || max < 1) {
      throw new GuardConfigError('maxKeys must be a positive integer', { path: 'maxKeys' });
    }
    const now = options.now;
    this.#cache = new LRUCache<string, string>({
      max,
      ttlAutopurge: false,
      allowStale: false,
      // With an injected clock, read it on every check instead of caching it for 1 ms.
      ...(now ? { perf: { now }, ttlResolution: 0 } : {}),
    });
  }

  get(key: string): string | undefined {
    return this.#cache.get(key);
  }

  set(key: string, value: string, ttlMs?: number): void {
    this.#cache.set(key, value, ttlMs === undefined ? undefined : { ttl: ttlMs });
  }

  delete(key: string): boolean {
    return this.#cache.delete(key);
  }

  increment(key: string, by = 1, ttlMs?: number): number {
    const current = this.#cache.get(key);
    const base = current === undefined ? 0 : Number(current);
    if (!Number.isSafeInteger(base)) throw new TypeError('value is not an integer');
    const next = base + by;
    if (current === undefined) this.set(key, String(next), ttlMs);
    else this.#cache.set(key, String(next), { noUpdateTTL: true });
    return next;
  }

  compareAndSet(
    key: string,
    expected: string | undefined,
    next: string | undefined,
    ttlMs?: number,
  ): boolean {
    if (this.#cache.get(key) !== expected) return false;
    if (next === undefined) this.#cache.delete(key);
    else this.set(key, next, ttlMs);
    return true;
  }

  /** Number of keys held (expired keys may still count until touched). */
  get size(): number {
    return this.#cache.size;
  }
}
