/**
 * Every machine-readable `reason` a `jwtAuth` rejection carries (on the `UnauthenticatedError`
 * and in the audit event), with the safe message the caller sees and the RFC 6750 error code
 * put in the `WWW-Authenticate` challenge. Messages never include the token or any claim.
 */
export const JWT_AUTH_REASONS = {
  /** No bearer credential at all (no `Authorization: Bearer`, no transport token). */
  missing: { message: 'authentication required', error: undefined, status: 401 },
  /** The `Authorization` header is not one well-formed bearer token, or two disagree. */
  invalid_request: {
    message: 'malformed authorization request',
    error: 'invalid_request',
    status: 401,
  },
  /** The token came in a query string (RFC 6750 §2.3), which is refused. */
  token_in_query: {
    message: 'tokens in query strings are not accepted',
    error: 'invalid_request',
    status: 401,
  },
  /** The token is longer than `maxTokenBytes`. */
  too_large: { message: 'token too large', error: 'invalid_token', status: 401 },
  /** Not a compact JWS JWT (segments, encoding, JSON, JWE, `b64: false`). */
  malformed: { message: 'malformed token', error: 'invalid_token', status: 401 },
  /** `alg` is not in the allow-list of the configuration (or of the issuer). */
  alg_not_allowed: { message: 'token algorithm not allowed', error: 'invalid_token', status: 401 },
  /** The header lists a `crit` extension this verifier does not understand. */
  unsupported_crit: {
    message: 'unsupported critical header',
    error: 'invalid_token',
    status: 401,
  },
  /** `typ` differs from the configured one (for example `at+jwt`, RFC 9068). */
  type_mismatch: { message: 'wrong token type', error: 'invalid_token', status: 401 },
  /** `iss` is missing or not a configured issuer. */
  issuer_mismatch: { message: 'untrusted token issuer', error: 'invalid_token', status: 401 },
  /** No key of the issuer has this `kid` and fits the token's algorithm. */
  unknown_kid: { message: 'unknown signing key', error: 'invalid_token', status: 401 },
  /** The issuer's keys could not be fetched and none are cached (503: retry later). */
  key_unavailable: {
    message: 'signing keys unavailable',
    error: undefined,
    status: 503,
  },
  /** The signature does not verify. */
  bad_signature: { message: 'invalid token signature', error: 'invalid_token', status: 401 },
  /** `exp` has passed (beyond the clock tolerance). */
  expired: { message: 'token expired', error: 'invalid_token', status: 401 },
  /** `nbf` or `iat` lies in the future (beyond the clock tolerance). */
  not_yet_valid: { message: 'token not yet valid', error: 'invalid_token', status: 401 },
  /** `aud` does not contain the configured audience. */
  audience_mismatch: { message: 'token audience mismatch', error: 'invalid_token', status: 401 },
  /** A required claim is absent (`exp` by default, `sub`). */
  missing_claim: { message: 'token lacks a required claim', error: 'invalid_token', status: 401 },
  /** A claim has the wrong type (for example `exp` not a number, `roles` not strings). */
  invalid_claims: { message: 'token claims invalid', error: 'invalid_token', status: 401 },
  /** No tenant claim and no default tenant. */
  missing_tenant: { message: 'token has no tenant', error: 'invalid_token', status: 401 },
  /** The tenant claim differs from the tenant bound to the issuer. */
  tenant_mismatch: { message: 'token tenant mismatch', error: 'invalid_token', status: 401 },
  /** The token's `jti` is on the deny-list. */
  revoked: { message: 'token revoked', error: 'invalid_token', status: 401 },
  /** The revocation store failed; the call is refused (fail closed, 503). */
  revocation_unavailable: {
    message: 'revocation check unavailable',
    error: undefined,
    status: 503,
  },
} as const satisfies Readonly<
  Record<
    string,
    {
      readonly message: string;
      readonly error: 'invalid_token' | 'invalid_request' | undefined;
      readonly status: 401 | 503;
    }
  >
>;

/** A machine-readable reason of a `jwtAuth` rejection. */
export type JwtAuthReason = keyof typeof JWT_AUTH_REASONS;
