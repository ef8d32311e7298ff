import { LRUCache } from 'lru-cache';
import { SignatureConfigError } from '@agentguard/hmac-signing';
import { ownString } from './lib/own-string.js';
import type { ReplayStore } from './replay-store.js';

/** Options of {@link MemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /**
   * Most nonces kept. Default 100,000. Size it above (requests per second) x (signature
   * lifetime + clock skew): when full, the least recently stored nonce is dropped early and
   * `onEvict` is told, because a dropped nonce could be replayed until it expires.
   */
  readonly max?: number | undefined;
  /** Told when a nonce is dropped before it expired (capacity pressure). Default: nothing. */
  readonly onEvict?: (() => void) | undefined;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * The default replay store: a bounded in-memory LRU whose entries expire with their
 * signature. Right for one process; use a shared store (Redis) for several.
 *
 * @example
 * const verifier = createVerifier({ keys, replayStore: new MemoryReplayStore({ max: 500_000 }) });
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #cache: LRUCache<string, number>;
  readonly #now: () => number;

  constructor(options: MemoryReplayStoreOptions = {}) {
    const max = options.max ?? 100_000;
    if (!Number.isInteger(max) || max < 1) {
      throw new SignatureConfigError('must be a positive integer', { path: 'replayStore.max' });
    }
    const now = options.now ?? Date.now;
    this.#now = now;
    const onEvict = options.onEvict;
    this.#cache = new LRUCache<string, number>({
      max,
      ...(onEvict === undefined
        ? {}
        : {
            dispose: (expiresAt: number, _key: string, reason: LRUCache.DisposeReason) => {
              if (reason === 'evict' && expiresAt > now()) onEvict();
            },
          }),
    });
  }

  checkAndStore(keyId: string, nonce: string, expiresAtMs: number): boolean {
    const key = `${keyId}\n${nonce}`;
    const now = this.#now();
    const seen = this.#cache.get(key);
    if (seen !== undefined && seen > now) return false;
    // No lru-cache TTL bookkeeping: the expiry is the stored value, checked on read, and the
    // cache's `max` bounds memory. The key is stored as a copy: the nonce is cut from the
    // Signature-Input header, which it would otherwise keep alive.
    this.#cache.set(ownString(key), expiresAtMs);
    return true;
  }

  /** Number of nonces held (expired ones may still count until touched). */
  get size(): number {
    return this.#cache.size;
  }
}
