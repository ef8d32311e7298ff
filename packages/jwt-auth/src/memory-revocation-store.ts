import { GuardConfigError } from '@agentguard/core';
import type { RevocationStore } from './revocation-store.js';

/** Options of {@link MemoryRevocationStore}. */
export interface MemoryRevocationStoreOptions {
  /** Most revoked tokens held at once. Default 100,000. A full store refuses new revocations. */
  readonly maxEntries?: number | undefined;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

const SEP = '\u0000';

/**
 * An in-memory, bounded {@link RevocationStore} for one process. Each entry lives until the
 * revoked token's `exp`, after which the token is refused as expired anyway. When it is full
 * of unexpired entries, {@link revoke} throws rather than silently forget an older revocation.
 *
 * @example
 * const revocations = new MemoryRevocationStore();
 * const auth = jwtAuth({ …, revocation: revocations });
 * revocations.revoke(principal.tokenId!, principal.tenantId, principal.expiresAt!);
 */
export class MemoryRevocationStore implements RevocationStore {
  readonly #max: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, number>();

  constructor(options: MemoryRevocationStoreOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isInteger(max) || max < 1) {
      throw new GuardConfigError('must be a positive integer', { path: 'maxEntries' });
    }
    this.#max = max;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Revokes token `jti` of `tenantId` until `expiresAt` (seconds since the epoch, the token's
   * `exp`). Throws a `RangeError` when the store is full of unexpired revocations.
   */
  revoke(jti: string, tenantId: string, expiresAt: number): void {
    if (typeof jti !== 'string' || jti.length === 0 || typeof tenantId !== 'string') {
      throw new TypeError('jti and tenantId must be strings');
    }
    if (!Number.isFinite(expiresAt)) throw new TypeError('expiresAt must be a number');
    const until = expiresAt * 1000;
    if (until <= this.#now()) return;
    const key = tenantId + SEP + jti;
    if (!this.#entries.has(key) && this.#entries.size >= this.#max) {
      this.#purge();
      if (this.#entries.size >= this.#max) throw new RangeError('revocation store is full');
    }
    const previous = this.#entries.get(key);
    this.#entries.set(key, previous === undefined ? until : Math.max(previous, until));
  }

  /** Lifts a revocation. */
  unrevoke(jti: string, tenantId: string): void {
    this.#entries.delete(tenantId + SEP + jti);
  }

  isRevoked(jti: string, tenantId: string): boolean {
    const key = tenantId + SEP + jti;
    const until = this.#entries.get(key);
    if (until === undefined) return false;
    if (until <= this.#now()) {
      this.#entries.delete(key);
      return false;
    }
    return true;
  }

  /** Number of revocations held (expired ones included until they are purged). */
  get size(): number {
    return this.#entries.size;
  }

  #purge(): void {
    const now = this.#now();
    const expired: string[] = [];
    for (const [key, until] of this.#entries) if (until <= now) expired.push(key);
    for (const key of expired) this.#entries.delete(key);
  }
}
