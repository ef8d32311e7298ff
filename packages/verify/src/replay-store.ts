/** A value or a promise of it: the memory store answers synchronously. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Remembers nonces until their signature expires, so that each signed request is accepted
 * once. Implement it on Redis (`SET key 1 NX PXAT expiresAtMs`) when several instances verify.
 */
export interface ReplayStore {
  /**
   * Records `nonce` for `keyId` until `expiresAtMs` (milliseconds since the epoch). Returns
   * `true` when it was new, `false` when it was already recorded. Must be atomic.
   */
  checkAndStore(keyId: string, nonce: string, expiresAtMs: number): MaybePromise<boolean>;
}
