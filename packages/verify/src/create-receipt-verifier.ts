import type { KeyObject } from 'node:crypto';
import {
  createLocalJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { SignatureConfigError } from '@agentguard/hmac-signing';
import type { ApprovalReceiptClaims } from './receipt-claims.js';

/** Signature algorithms a receipt may use. */
export type ReceiptAlgorithm = 'EdDSA' | 'ES256' | 'RS256';

/** Options of {@link createReceiptVerifier} and {@link verifyReceipt}. Give `jwks` or `publicKey`. */
export interface ReceiptVerifierOptions {
  /** The issuer's public keys; the receipt's `kid` selects one. */
  readonly jwks?: JSONWebKeySet | undefined;
  /** The issuer's public key (a `KeyObject`, `CryptoKey` or public JWK). */
  readonly publicKey?: KeyObject | CryptoKey | JWK | undefined;
  /** Accepted algorithms. Default all of `EdDSA`, `ES256`, `RS256`; never `none` or HMAC. */
  readonly algorithms?: readonly ReceiptAlgorithm[] | undefined;
  /** Required `iss`. Default: not checked. */
  readonly issuer?: string | undefined;
  /** Required `aud` (one of). Default: not checked. */
  readonly audience?: string | readonly string[] | undefined;
  /** Seconds of tolerance on `exp` / `iat` / `nbf`. Default 30. */
  readonly clockTolerance?: number | undefined;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** What a receipt must be bound to; checked after the signature. */
export interface ReceiptBinding {
  readonly tool?: string | undefined;
  readonly tenantId?: string | undefined;
  readonly argsDigest?: string | undefined;
}

/** Why a receipt was refused. */
export type ReceiptFailureReason =
  | 'malformed_receipt'
  | 'alg_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'invalid_claims'
  | 'binding_mismatch';

/** The verified claims, or why not. */
export type ReceiptResult =
  | { readonly ok: true; readonly claims: ApprovalReceiptClaims }
  | { readonly ok: false; readonly reason: ReceiptFailureReason };

/** A receipt verifier with its keys imported once. */
export type ReceiptVerifier = (jws: string, expected?: ReceiptBinding) => Promise<ReceiptResult>;

const ALGORITHMS: readonly ReceiptAlgorithm[] = ['EdDSA', 'ES256', 'RS256'];
const ARGS_DIGEST = /^[A-Za-z0-9_-]{43}$/;
const MAX_RECEIPT_LENGTH = 8192;

/**
 * Creates a verifier for approval receipts (compact JWS), offline: signature with an
 * allow-listed asymmetric algorithm, `exp` / `iat`, optional issuer and audience, and the
 * claim set of {@link ApprovalReceiptClaims}.
 *
 * @example
 * const verifyApproval = createReceiptVerifier({ jwks: await (await fetch(jwksUrl)).json() });
 * const result = await verifyApproval(receipt, { tool: 'payments.refund', tenantId: 't1' });
 * if (result.ok) console.log(result.claims.approvers);
 */
export function createReceiptVerifier(options: ReceiptVerifierOptions): ReceiptVerifier {
  const { jwks, publicKey } = options;
  if ((jwks === undefined) === (publicKey === undefined)) {
    throw new SignatureConfigError('give exactly one of jwks and publicKey', { path: 'receipts' });
  }
  let key: JWTVerifyGetKey | KeyObject | CryptoKey | JWK;
  if (jwks !== undefined) {
    if (!Array.isArray(jwks.keys)) {
      throw new SignatureConfigError('must be a JWK set', { path: 'receipts.jwks' });
    }
    key = createLocalJWKSet(jwks);
  } else {
    key = publicKey!;
    if (isPrivateJwk(key)) {
      throw new SignatureConfigError('must be a public key', { path: 'receipts.publicKey' });
    }
  }
  const algorithms = [...(options.algorithms ?? ALGORITHMS)];
  if (algorithms.length === 0 || algorithms.some((a) => !ALGORITHMS.includes(a))) {
    throw new SignatureConfigError('only EdDSA, ES256 and RS256 are allowed', {
      path: 'receipts.algorithms',
    });
  }
  const clockTolerance = options.clockTolerance ?? 30;
  const now = options.now ?? Date.now;
  const baseOptions = {
    algorithms,
    clockTolerance,
    requiredClaims: ['exp', 'iat'],
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined
      ? {}
      : {
          audience: typeof options.audience === 'string' ? options.audience : [...options.audience],
        }),
  };

  return async function verifyApprovalReceipt(jws, expected) {
    if (typeof jws !== 'string' || jws.length === 0 || jws.length > MAX_RECEIPT_LENGTH) {
      return { ok: false, reason: 'malformed_receipt' };
    }
    let payload: JWTPayload;
    try {
      const verified = await jwtVerify(jws, key as Parameters<typeof jwtVerify>[1], {
        ...baseOptions,
        currentDate: new Date(now()),
      });
      payload = verified.payload;
    } catch (error) {
      return { ok: false, reason: failureReason(error) };
    }
    const claims = readClaims(payload);
    if (claims === undefined) return { ok: false, reason: 'invalid_claims' };
    // jose checks `iat` only against a maximum age; a receipt issued in the future is refused.
    if (claims.issuedAt > now() / 1000 + clockTolerance)
      return { ok: false, reason: 'not_yet_valid' };
    if (
      expected !== undefined &&
      ((expected.tool !== undefined && expected.tool !== claims.tool) ||
        (expected.tenantId !== undefined && expected.tenantId !== claims.tenantId) ||
        (expected.argsDigest !== undefined && expected.argsDigest !== claims.argsDigest))
    ) {
      return { ok: false, reason: 'binding_mismatch' };
    }
    return { ok: true, claims };
  };
}

function failureReason(error: unknown): ReceiptFailureReason {
  if (error instanceof errors.JOSEAlgNotAllowed) return 'alg_not_allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'unknown_key';
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'issuer_mismatch';
    if (error.claim === 'aud') return 'audience_mismatch';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'not_yet_valid';
    return 'invalid_claims';
  }
  return 'malformed_receipt';
}

function readClaims(p: JWTPayload): ApprovalReceiptClaims | undefined {
  const { approvalId, tool, argsDigest, tenantId, approvers, iat, exp, sub, iss } = p;
  if (
    !isText(approvalId) ||
    !isText(tool) ||
    !isText(tenantId) ||
    typeof argsDigest !== 'string' ||
    !ARGS_DIGEST.test(argsDigest) ||
    !Array.isArray(approvers) ||
    approvers.length === 0 ||
    approvers.length > 100 ||
    !approvers.every(isText) ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    (sub !== undefined && !isText(sub))
  ) {
    return undefined;
  }
  return Object.freeze({
    approvalId,
    tool,
    argsDigest,
    tenantId,
    approvers: Object.freeze([...approvers]),
    ...(sub === undefined ? {} : { requester: sub }),
    ...(iss === undefined ? {} : { issuer: iss }),
    issuedAt: iat,
    expiresAt: exp,
  });
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 512;
}

function isPrivateJwk(key: unknown): boolean {
  return typeof key === 'object' && key !== null && 'kty' in key && 'd' in key;
}
