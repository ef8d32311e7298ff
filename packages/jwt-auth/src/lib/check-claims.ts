import type { JwtAuthReason } from '../reasons.js';

/** Registered-claim checks, done after the signature verified. */
export interface ClaimChecks {
  readonly audiences: ReadonlySet<string>;
  readonly toleranceSeconds: number;
  readonly requireExp: boolean;
}

/**
 * Checks `exp`, `nbf`, `iat` and `aud`. Returns the reason of the first failure, or undefined.
 * `iss` was matched exactly when the issuer configuration was picked.
 */
export function checkClaims(
  payload: Record<string, unknown>,
  nowSeconds: number,
  checks: ClaimChecks,
): JwtAuthReason | undefined {
  const tolerance = checks.toleranceSeconds;
  if (Object.hasOwn(payload, 'exp')) {
    const exp = payload['exp'];
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'invalid_claims';
    if (nowSeconds >= exp + tolerance) return 'expired';
  } else if (checks.requireExp) {
    return 'missing_claim';
  }
  for (const name of ['nbf', 'iat']) {
    if (!Object.hasOwn(payload, name)) continue;
    const value = payload[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'invalid_claims';
    if (value > nowSeconds + tolerance) return 'not_yet_valid';
  }
  if (!Object.hasOwn(payload, 'aud')) return 'audience_mismatch';
  const aud = payload['aud'];
  if (typeof aud === 'string') return checks.audiences.has(aud) ? undefined : 'audience_mismatch';
  if (!Array.isArray(aud)) return 'invalid_claims';
  let match = false;
  for (const entry of aud as unknown[]) {
    if (typeof entry !== 'string') return 'invalid_claims';
    if (checks.audiences.has(entry)) match = true;
  }
  return match ? undefined : 'audience_mismatch';
}
