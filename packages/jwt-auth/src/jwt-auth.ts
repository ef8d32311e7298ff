import { hash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  bearerChallenge,
  forgetLastMatch,
  GuardConfigError,
  UnauthenticatedError,
  fail,
  ok,
  silentLogger,
  type Authenticator,
  type CallContext,
  type Logger,
  type MaybePromise,
  type Principal,
  type StageResult,
} from '@agentguard/core';
import { compactVerify, type JSONWebKeySet, type JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import type { JwtAlgorithm } from './algorithms.js';
import type { ClaimMapping } from './claim-mapping.js';
import type { ClaimPresetName } from './claim-presets.js';
import { JWT_AUTH_REASONS, type JwtAuthReason } from './reasons.js';
import type { RevocationStore } from './revocation-store.js';
import { buildPrincipal } from './lib/claims.js';
import { checkClaims } from './lib/check-claims.js';
import { compileIssuers, type CompiledIssuer } from './lib/compile-issuer.js';
import { B64TOKEN, extractToken } from './lib/extract-token.js';
import { integerOption, normalizeTyp } from './lib/options.js';
import { splitToken } from './lib/token-parts.js';

/** How a remote JWKS (a `jwksUri` or one found by `discovery`) is fetched and cached. */
export interface RemoteJwksOptions {
  /** Milliseconds a fetch may take, body included. Default 5,000. */
  readonly timeout?: number | undefined;
  /** Largest JWKS or discovery document accepted, in bytes. Default 262,144. */
  readonly maxResponseBytes?: number | undefined;
  /** Seconds a fetched key set is used before it is fetched again. Default 600. */
  readonly cacheMaxAge?: number | undefined;
  /**
   * Minimum seconds between two fetches: a token with an unknown `kid` triggers a refetch at
   * most this often, and a failed fetch is not retried sooner. Default 30.
   */
  readonly cooldown?: number | undefined;
  /**
   * Seconds past `cacheMaxAge` during which the last key set is still used while the endpoint
   * fails (stale-if-error), so an IdP outage does not lock out tokens signed by known keys.
   * Default 86,400. 0 turns it off.
   */
  readonly staleIfError?: number | undefined;
  /** Allow `http:` URLs on non-loopback hosts. Default false (loopback `http:` is allowed). */
  readonly allowInsecureHttp?: boolean | undefined;
  /** The `fetch` to use (for a proxy-aware one). Default the global `fetch`. */
  readonly fetch?: typeof fetch | undefined;
}

/**
 * One trusted issuer. Exactly one key source: `jwksUri`, `discovery`, `jwks`, `publicKey` or
 * `secret`.
 */
export interface JwtIssuerOptions {
  /** Expected `iss`, compared exactly. Required. */
  readonly issuer: string;
  /** Accepted audience(s): the token's `aud` must contain one. Required. */
  readonly audience: string | readonly string[];
  /**
   * Allowed signature algorithms. Required. HMAC (`HS*`) and asymmetric algorithms never mix
   * in one configuration; `none` is never allowed.
   */
  readonly algorithms: readonly JwtAlgorithm[];
  /** URL of the issuer's JWKS (`https:`; `http:` only on loopback). */
  readonly jwksUri?: string | URL | undefined;
  /** Find the JWKS through `${issuer}/.well-known/openid-configuration`. Default false. */
  readonly discovery?: boolean | undefined;
  /** A local JWKS. Private, symmetric and encryption keys in it are ignored. */
  readonly jwks?: JSONWebKeySet | undefined;
  /** One public key: PEM (SPKI, PKCS#1 or X.509 certificate), a public JWK, a KeyObject or CryptoKey. */
  readonly publicKey?: string | JWK | KeyObject | CryptoKey | undefined;
  /**
   * HMAC shared secret (opt-in; requires `HS*` algorithms only). At least as many bytes as the
   * hash output (32 for HS256, 48 for HS384, 64 for HS512).
   */
  readonly secret?: string | Uint8Array | KeyObject | undefined;
  /** With `publicKey` or `secret`: tokens that carry a `kid` must carry this one. Default: any. */
  readonly kid?: string | undefined;
  /**
   * Binds the tenant to this issuer: every principal gets this tenant, and a token whose
   * tenant claim says otherwise is refused `tenant_mismatch`. Default: the tenant claim.
   */
  readonly tenantId?: string | undefined;
  /** Claim mapping of a known IdP; `claims` overrides it field by field. Default none. */
  readonly preset?: ClaimPresetName | undefined;
  /** Where the Principal's fields come from. Defaults: see {@link ClaimMapping}. */
  readonly claims?: ClaimMapping | undefined;
  /**
   * Required `typ` header, compared case-insensitively with or without `application/`, for
   * example `at+jwt` (RFC 9068 access tokens). Default: not checked.
   */
  readonly typ?: string | undefined;
  /** Fetch and cache settings of a remote JWKS. */
  readonly remote?: RemoteJwksOptions | undefined;
}

/**
 * One entry of {@link JwtAuthOptions.issuers}: an issuer whose `audience` and `algorithms`
 * may come from the top-level defaults.
 */
export interface JwtIssuerEntry extends Omit<JwtIssuerOptions, 'audience' | 'algorithms'> {
  /** Default: the top-level `audience`. */
  readonly audience?: string | readonly string[] | undefined;
  /** Default: the top-level `algorithms`. */
  readonly algorithms?: readonly JwtAlgorithm[] | undefined;
}

/** Options of the verified-token cache. */
export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered. Default 10,000. */
  readonly max?: number | undefined;
  /**
   * Longest time, in seconds, a verification is reused, whatever the token's `exp` (entries
   * never outlive `exp`). Bounds how long a key removed from the JWKS keeps working. Default 300.
   */
  readonly maxTtl?: number | undefined;
}

/**
 * Options of {@link jwtAuth}. Give one issuer at the top level, or several in `issuers` (then
 * the top-level `audience`, `algorithms`, `preset`, `claims`, `typ` and `remote` are defaults
 * each issuer may override).
 */
export interface JwtAuthOptions extends Partial<JwtIssuerOptions> {
  /** Several trusted issuers (multi-tenant IdPs). The token's `iss` picks one. */
  readonly issuers?: readonly JwtIssuerEntry[] | undefined;
  /** Name in audit events (`authenticatedBy`). Default `jwt`. */
  readonly name?: string | undefined;
  /** `realm` of the `WWW-Authenticate` challenge. Default `agentguard`. */
  readonly realm?: string | undefined;
  /** RFC 9728 protected-resource-metadata URL put in challenges (MCP authorization). */
  readonly resourceMetadata?: string | undefined;
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. Default 30; at most 300. */
  readonly clockTolerance?: number | undefined;
  /** Refuse tokens without `exp` (`missing_claim`). Default true. */
  readonly requireExp?: boolean | undefined;
  /** Longest token accepted, in bytes (`too_large`). Default 8,192. */
  readonly maxTokenBytes?: number | undefined;
  /** Verified-token cache, keyed by SHA-256 of the token; `false` turns it off. Default on. */
  readonly cache?: VerifiedTokenCacheOptions | false | undefined;
  /** `jti` deny-list, asked on every call (cache hits included). Default none. */
  readonly revocation?: RevocationStore | undefined;
  /** Tenant of tokens that carry no tenant claim. Default none: they fail `missing_tenant`. */
  readonly defaultTenant?: string | undefined;
  /** Receives warnings (JWKS fetch failures). Never receives a token. Default silent. */
  readonly logger?: Logger | undefined;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * A verified token, stored under a SHA-256 of its signature segment with its signing input
 * (`header.payload`: the claims, no credential without the signature). The cache holds no
 * token, and a hit needs both parts equal to the verified token's.
 */
interface CacheEntry {
  readonly result: StageResult<Principal>;
  readonly principal: Principal;
  /** The signing input, a string of its own (a slice would keep the whole token reachable). */
  readonly input: string;
  /** Milliseconds since the epoch after which the entry is not used. */
  readonly until: number;
}

/**
 * Creates the authentication stage: verifies the bearer JWT of each call against the trusted
 * issuer(s) and builds the Principal. A token seen before costs a SHA-256 and a cache lookup
 * (and the revocation check), not a signature verification. Every rejection is an
 * `UnauthenticatedError` with a `reason` from {@link JWT_AUTH_REASONS} and a `WWW-Authenticate`
 * value; no error, log line or audit event ever holds the token.
 *
 * @example
 * const guard = createGuard({
 *   authenticator: jwtAuth({
 *     issuer: 'https://id.example.com/',
 *     audience: 'https://mcp.example.com',
 *     algorithms: ['RS256'],
 *     discovery: true,
 *     claims: { roles: 'realm_access.roles' },
 *   }),
 *   accessControl: allowAllAccess(),
 * });
 */
export function jwtAuth(options: JwtAuthOptions): Authenticator {
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null) {
    throw new GuardConfigError('options are required', { path: 'jwtAuth' });
  }
  const name = options.name ?? 'jwt';
  if (typeof (name as unknown) !== 'string' || name.length === 0) {
    throw new GuardConfigError('must be a non-empty string', { path: 'name' });
  }
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const tolerance = integerOption(options.clockTolerance, 30, 0, 300, 'clockTolerance');
  const maxTokenBytes = integerOption(options.maxTokenBytes, 8192, 64, 1_048_576, 'maxTokenBytes');
  const requireExp = options.requireExp ?? true;
  if (
    options.defaultTenant !== undefined &&
    (typeof options.defaultTenant !== 'string' || options.defaultTenant.length === 0)
  ) {
    throw new GuardConfigError('must be a non-empty string', { path: 'defaultTenant' });
  }
  const revocation = options.revocation;
  if (
    revocation !== undefined &&
    typeof (revocation as Partial<RevocationStore>).isRevoked !== 'function'
  ) {
    throw new GuardConfigError('must have an isRevoked function', { path: 'revocation' });
  }
  const { issuers, algorithms } = compileIssuers(options, {
    authenticatedBy: name,
    defaultTenant: options.defaultTenant,
    tolerance,
    requireExp,
    logger,
    now,
  });

  let cache: LRUCache<string, CacheEntry> | undefined;
  let maxTtlMs = 0;
  if (options.cache !== false) {
    const max = integerOption(options.cache?.max, 10_000, 1, 10_000_000, 'cache.max');
    maxTtlMs = integerOption(options.cache?.maxTtl, 300, 1, 86_400, 'cache.maxTtl') * 1000;
    cache = new LRUCache<string, CacheEntry>({ max });
  }

  // Every rejection's message and challenge, built once.
  const realm = options.realm ?? 'agentguard';
  const resourceMetadata = options.resourceMetadata;
  const rejections = new Map<
    JwtAuthReason,
    { message: string; status: number; challenge: string | undefined }
  >();
  for (const [reason, entry] of Object.entries(JWT_AUTH_REASONS) as [
    JwtAuthReason,
    (typeof JWT_AUTH_REASONS)[JwtAuthReason],
  ][]) {
    rejections.set(reason, {
      message: entry.message,
      status: entry.status,
      challenge:
        entry.status === 503
          ? undefined
          : bearerChallenge({
              realm,
              error: entry.error,
              ...(entry.error === undefined ? {} : { errorDescription: entry.message }),
              resourceMetadata,
            }),
    });
  }
  function reject(reason: JwtAuthReason): StageResult<Principal> {
    const r = rejections.get(reason)!;
    return fail(
      new UnauthenticatedError(r.message, {
        reason,
        wwwAuthenticate: r.challenge,
        ...(r.status === 401 ? {} : { status: r.status }),
      }),
    );
  }

  function authenticate(context: CallContext | undefined): MaybePromise<StageResult<Principal>> {
    // The token's characters are checked on a cache miss only: a hit is a string that was
    // fully checked and verified before.
    const found = extractToken(context ?? {}, maxTokenBytes, false);
    if (!found.ok) return reject(found.reason);
    const token = found.token;
    let id: string | undefined;
    const dot = token.lastIndexOf('.');
    if (cache !== undefined && dot > 0) {
      // The signature's digest: one SHA-256 block for HS256 and ES256, where the whole token
      // would take several.
      id = hash('sha256', token.slice(dot + 1), 'base64url');
      const hit = cache.get(id);
      if (hit !== undefined && hit.input === token.slice(0, dot)) {
        if (now() < hit.until) return checkRevocation(hit.principal, hit.result);
        cache.delete(id);
      }
    }
    // (A failed test leaves the RegExp statics as they were.)
    if (!B64TOKEN.test(token)) {
      return reject(found.source === 'header' ? 'invalid_request' : 'malformed');
    }
    // The check above and the verification's synchronous start match the token: the statics
    // are cleared as soon as that start returns (not only when the verification ends, which
    // can take a key fetch), and again at the end.
    const verifying = verify(token, id);
    forgetLastMatch();
    return verifying.finally(forgetLastMatch);
  }

  function checkRevocation(
    principal: Principal,
    result: StageResult<Principal>,
  ): MaybePromise<StageResult<Principal>> {
    if (revocation === undefined || principal.tokenId === undefined) return result;
    let answer: MaybePromise<boolean>;
    try {
      answer = revocation.isRevoked(principal.tokenId, principal.tenantId);
    } catch (error) {
      return revocationFailed(error);
    }
    if (answer === false) return result;
    if (answer === true) return reject('revoked');
    return Promise.resolve(answer).then(
      // Anything but an explicit `false` counts as revoked (fail closed).
      (revoked) => ((revoked as unknown) === false ? result : reject('revoked')),
      revocationFailed,
    );
  }

  function revocationFailed(error: unknown): StageResult<Principal> {
    logger.error('revocation check failed', {
      authenticator: name,
      error: error instanceof Error ? error.message : 'unknown error',
    });
    return reject('revocation_unavailable');
  }

  async function verify(token: string, id: string | undefined): Promise<StageResult<Principal>> {
    const parts = splitToken(token);
    if (parts === undefined) return reject('malformed');
    const { header, payload } = parts;
    const alg = header['alg'];
    if (typeof alg !== 'string') return reject('malformed');
    if (!algorithms.has(alg)) return reject('alg_not_allowed');
    // No JWS extension is understood, so any `crit` is unknown (RFC 7515 §4.1.11), and an
    // unencoded payload (`b64: false`, RFC 7797) is never a JWT.
    if (Object.hasOwn(header, 'crit')) return reject('unsupported_crit');
    if (Object.hasOwn(header, 'b64') && header['b64'] !== true) return reject('malformed');
    const kid = header['kid'];
    if (kid !== undefined && typeof kid !== 'string') return reject('malformed');
    const iss = payload['iss'];
    const issuer: CompiledIssuer | undefined =
      typeof iss === 'string' ? issuers.get(iss) : undefined;
    if (issuer === undefined) return reject('issuer_mismatch');
    if (!issuer.algorithms.has(alg)) return reject('alg_not_allowed');
    if (issuer.typ !== undefined && normalizeTyp(header['typ']) !== issuer.typ) {
      return reject('type_mismatch');
    }

    let lookup = issuer.keys.lookup(kid, alg as JwtAlgorithm);
    if (lookup instanceof Promise) lookup = await lookup;
    if ('reason' in lookup) return reject(lookup.reason);
    try {
      await compactVerify(token, lookup.key, issuer.verifyOptions.get(alg));
    } catch {
      return reject('bad_signature');
    }

    const nowMs = now();
    const claimFailure = checkClaims(payload, nowMs / 1000, issuer.checks);
    if (claimFailure !== undefined) return reject(claimFailure);
    const built = buildPrincipal(payload, issuer.principal);
    if (!built.ok) return reject(built.reason);
    const principal = built.principal;
    const result = ok(principal);

    if (cache !== undefined && id !== undefined) {
      const until = Math.min(
        principal.expiresAt === undefined ? Number.POSITIVE_INFINITY : principal.expiresAt * 1000,
        nowMs + maxTtlMs,
      );
      if (until > nowMs) {
        // A copy of the signing input: a slice of the token would keep its signature too.
        // Latin-1 copies a character per byte; the comparison makes sure it lost nothing.
        const signingInput = token.slice(0, token.lastIndexOf('.'));
        const input = Buffer.from(signingInput, 'latin1').toString('latin1');
        if (input === signingInput) cache.set(id, { result, principal, input, until });
      }
    }
    return checkRevocation(principal, result);
  }

  return {
    kind: 'authenticator',
    name,
    authenticate,
  };
}
