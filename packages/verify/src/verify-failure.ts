/**
 * Why a signed request was refused. Stable strings, sent to the caller in the 401 body and
 * meant for logs and alerts.
 */
export type VerifyFailureReason =
  /** No `Signature-Input` and no `Signature`. */
  | 'missing_signature'
  /** Signature fields malformed, inconsistent, or of the wrong types. */
  | 'malformed_signature'
  /** A signature field or covered header is larger than `maxHeaderBytes`. */
  | 'header_too_large'
  /** Our label appears more than once, or there are more signatures than `maxSignatures`. */
  | 'multiple_signatures'
  /** No signature under the configured label. */
  | 'label_not_found'
  /** `created`, `keyid` (or `expires` / `nonce`, when required) is absent. */
  | 'missing_parameter'
  /** A component the verifier requires is not covered by the signature. */
  | 'missing_component'
  /** A covered header is not in the request. */
  | 'missing_header'
  /** A covered component this implementation does not derive. */
  | 'unsupported_component'
  /** The `keyid` is not one of the verifier's keys. */
  | 'unknown_key'
  /** The `alg` parameter disagrees with the key's algorithm. */
  | 'alg_mismatch'
  /** `created` is later than now plus the clock skew. */
  | 'created_in_future'
  /** `expires` has passed, or the signature is older than `maxAge`. */
  | 'expired'
  /** The signature does not verify. */
  | 'bad_signature'
  /** The body received does not match `Content-Digest`. */
  | 'digest_mismatch'
  /** An identity header is not in the documented encoding. */
  | 'malformed_identity'
  /** The nonce was seen before within its validity window. */
  | 'replayed'
  /** The approval receipt does not verify. */
  | 'bad_receipt'
  /** The approval receipt is for another tenant or tool. */
  | 'receipt_mismatch'
  /** The body is larger than `maxBodyBytes` (status 413). */
  | 'body_too_large';

/** A refused request: the reason and the HTTP status to answer with. */
export interface VerifyFailure {
  readonly ok: false;
  readonly reason: VerifyFailureReason;
  /** 401, or 413 for `body_too_large`. */
  readonly status: 401 | 413;
}

const cache = new Map<VerifyFailureReason, VerifyFailure>();

/** The (frozen, shared) failure for `reason`. */
export function verifyFailure(reason: VerifyFailureReason): VerifyFailure {
  let failure = cache.get(reason);
  if (failure === undefined) {
    failure = Object.freeze({ ok: false, reason, status: reason === 'body_too_large' ? 413 : 401 });
    cache.set(reason, failure);
  }
  return failure;
}
