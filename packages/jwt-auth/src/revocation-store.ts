import type { MaybePromise } from '@agentguard/core';

/**
 * A `jti` deny-list. `jwtAuth` asks it on every call that carries a `jti`, cached tokens
 * included. May answer synchronously (memory) or asynchronously (Redis, a database). If it
 * throws or rejects, the call is refused with `revocation_unavailable` (fail closed).
 *
 * @example
 * const revocations: RevocationStore = {
 *   isRevoked: (jti, tenantId) => redis.exists(`revoked:${tenantId}:${jti}`).then((n) => n > 0),
 * };
 */
export interface RevocationStore {
  /** True when the token `jti` of `tenantId` is revoked. */
  isRevoked(jti: string, tenantId: string): MaybePromise<boolean>;
}
