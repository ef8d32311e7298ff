import {
  IDENTITY_HEADERS,
  IDENTITY_HEADER_NAMES,
  REQUIRED_IDENTITY_HEADERS,
  SignatureConfigError,
  StructuredFieldError,
  checkContentDigest,
  createSignatureBase,
  decodeIdentityValue,
  decodeRoles,
  importVerifyingKey,
  isInnerList,
  parseDictionary,
  serializeInnerList,
  type CoveredComponent,
  type SfDictionary,
  type SfParameters,
  type SignatureAlgorithm,
  type VerifyingKey,
  type VerifyingKeyInput,
} from '@agentguard/hmac-signing';
import {
  createReceiptVerifier,
  type ReceiptVerifier,
  type ReceiptVerifierOptions,
} from './create-receipt-verifier.js';
import { fastSignature, fastSignatureInput } from './lib/fast-signature-fields.js';
import { headerAccessor, type HeaderSource } from './lib/header-accessor.js';
import { readRequestBody } from './lib/read-request-body.js';
import { MemoryReplayStore } from './memory-replay-store.js';
import type { ApprovalReceiptClaims } from './receipt-claims.js';
import type { ReplayStore } from './replay-store.js';
import { verifyFailure, type VerifyFailure } from './verify-failure.js';

/**
 * Components every signature must cover: the method, the target (`@target-uri`, or all of
 * `@authority`, `@path` and `@query`), the body digest and the identity headers. A signature
 * that leaves one out is refused even if it verifies. `content-type`, `agentguard-agent` and
 * `agentguard-approval-receipt` must be covered too whenever the request carries them.
 */
export const MANDATORY_COMPONENTS: readonly string[] = Object.freeze([
  '@method',
  '@target-uri',
  'content-digest',
  ...REQUIRED_IDENTITY_HEADERS,
]);

/** Options of {@link createVerifier}. */
export interface VerifierOptions {
  /**
   * Every key accepted, by `keyid`. During a rotation list the old and the new key; remove the
   * old one when no signature made with it can still be valid (`expiresIn` + skew later).
   */
  readonly keys: readonly VerifyingKeyInput[];
  /** Label of the signature to verify; other signatures are ignored. Default `agentguard`. */
  readonly label?: string | undefined;
  /** More components every signature must cover, on top of {@link MANDATORY_COMPONENTS}. */
  readonly requireComponents?: readonly string[] | undefined;
  /** Seconds of clock difference tolerated on `created` and `expires`. Default 10. */
  readonly clockSkew?: number | undefined;
  /** Oldest accepted signature, seconds after `created`, whatever `expires` says. Default 300. */
  readonly maxAge?: number | undefined;
  /** Refuse signatures without `expires`. Default `true`. */
  readonly requireExpires?: boolean | undefined;
  /** Refuse signatures without `nonce`. Default `true`. */
  readonly requireNonce?: boolean | undefined;
  /**
   * Where seen nonces are kept. Default: a bounded {@link MemoryReplayStore} (one process);
   * share a Redis store between instances. `false` disables replay protection.
   */
  readonly replayStore?: ReplayStore | false | undefined;
  /** Largest `Signature-Input`, `Signature` or covered header, in characters. Default 8,192. */
  readonly maxHeaderBytes?: number | undefined;
  /** Most signatures (dictionary members) accepted in one request. Default 8. */
  readonly maxSignatures?: number | undefined;
  /** Largest body `verify()` reads, in bytes (larger: `body_too_large`, 413). Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /**
   * The public origin (`https://api.example.com`) the signer addressed, when this server sits
   * behind a proxy that changes scheme or host. Default: the request's own URL (`verify`), or
   * the `Host` header and the socket's TLS state (`verifyMiddleware`).
   */
  readonly origin?: string | undefined;
  /** Verify approval receipts carried by requests with these keys. Default: not verified. */
  readonly receipts?: ReceiptVerifierOptions | undefined;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** Whom a verified request is for, as the guard asserted it. */
export interface VerifiedIdentity {
  readonly subject: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly agentId?: string | undefined;
  readonly decisionId: string;
  readonly tool: string;
  /** The approval receipt (compact JWS) the call carried, when approved. */
  readonly approvalReceipt?: string | undefined;
  /** The receipt's verified claims, when `receipts` is configured and one was carried. */
  readonly receipt?: ApprovalReceiptClaims | undefined;
}

/** The signature that was verified. */
export interface VerifiedSignature {
  readonly label: string;
  readonly keyId: string;
  readonly alg: SignatureAlgorithm;
  /** Seconds since the epoch. */
  readonly created: number;
  readonly expires: number | undefined;
  readonly nonce: string | undefined;
  /** Covered component names, in order. */
  readonly components: readonly string[];
}

/** A verified request. */
export interface VerifySuccess {
  readonly ok: true;
  readonly identity: VerifiedIdentity;
  readonly signature: VerifiedSignature;
  /** The body bytes that were verified (the `Request` body has been read). */
  readonly body: Uint8Array;
}

/** The outcome of a verification. */
export type VerifyResult = VerifySuccess | VerifyFailure;

/** A request in plain parts, for runtimes without a web `Request`. */
export interface VerifiableMessage {
  readonly method: string;
  /** The absolute target URI as received: origin + path and query, as sent. */
  readonly url: string;
  /** Headers as `Headers`, or a record with lowercase names (Node's `req.headersDistinct`). */
  readonly headers: HeaderSource;
  /** The exact bytes received; `null` for none. */
  readonly body: Uint8Array | null;
}

/** What {@link createVerifier} returns. */
export interface Verifier {
  /** Verifies a web-standard `Request` (reads its body; use `result.body` afterwards). */
  verify(request: Request): Promise<VerifyResult>;
  /**
   * Verifies a request given in parts (what `verifyMiddleware` calls). Answers synchronously
   * when the replay store does and no receipt needs verifying; `await` it either way.
   */
  verifyMessage(message: VerifiableMessage): VerifyResult | Promise<VerifyResult>;
  /** The configured body limit, in bytes. */
  readonly maxBodyBytes: number;
  /** The configured public origin, if any. */
  readonly origin: string | undefined;
}

const LABEL = /^[a-z*][a-z0-9_\-.*]{0,63}$/;
const COMPONENT = /^(@[a-z-]+|[a-z0-9!#$%&'*+\-.^_`|~]+)$/;
const EMPTY = new Uint8Array(0);
const ORIGIN = /^https?:\/\/[^/?#\s]+$/;
// Nonces are kept until they expire: bound what one signature can make the store hold.
const MAX_NONCE_LENGTH = 256;

/**
 * Creates a verifier of requests signed by `@agentguard/hmac-signing` (or any RFC 9421
 * signer that covers the same components): signature present and well-formed, required
 * components covered, known `keyid`, constant-time comparison, `created` / `expires` within
 * the clock skew, nonce never seen before (checked only after the signature verified, so that
 * forged requests cannot burn nonces), and `Content-Digest` equal to the digest of the body.
 *
 * @example
 * const verifier = createVerifier({ keys: [{ id: 'backend-2025-06', alg: 'hmac-sha256', secret }] });
 * export async function POST(request: Request) {
 *   const result = await verifier.verify(request);
 *   if (!result.ok) return Response.json({ error: 'invalid_signature', reason: result.reason }, { status: result.status });
 *   const order = JSON.parse(new TextDecoder().decode(result.body));
 *   return Response.json(await placeOrder(result.identity.tenantId, order));
 * }
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const raw = options as unknown;
  if (typeof raw !== 'object' || raw === null) {
    throw new SignatureConfigError('options are required', { path: 'verifier' });
  }
  const keyList = options.keys as unknown;
  if (!Array.isArray(keyList) || keyList.length === 0) {
    throw new SignatureConfigError('at least one key is required', { path: 'keys' });
  }
  const keys = new Map<string, VerifyingKey>();
  options.keys.forEach((input, i) => {
    const key = importVerifyingKey(input, `keys[${i}]`);
    if (keys.has(key.id)) {
      throw new SignatureConfigError('duplicate key id', { path: `keys[${i}].id` });
    }
    keys.set(key.id, key);
  });
  const label = options.label ?? 'agentguard';
  if (!LABEL.test(label)) {
    throw new SignatureConfigError('must be a lowercase structured-field key', { path: 'label' });
  }
  const extra = [...(options.requireComponents ?? [])];
  extra.forEach((name, i) => {
    if (typeof name !== 'string' || !COMPONENT.test(name)) {
      throw new SignatureConfigError('must be a lowercase component name', {
        path: `requireComponents[${i}]`,
      });
    }
  });
  const required = [...new Set([...MANDATORY_COMPONENTS, ...extra])].filter(
    (c) => c !== '@target-uri',
  );
  const clockSkew = nonNegativeInt(options.clockSkew, 10, 'clockSkew');
  const maxAge = positiveInt(options.maxAge, 300, 'maxAge');
  const maxHeaderBytes = positiveInt(options.maxHeaderBytes, 8192, 'maxHeaderBytes');
  const maxSignatures = positiveInt(options.maxSignatures, 8, 'maxSignatures');
  const maxBodyBytes = positiveInt(options.maxBodyBytes, 1024 * 1024, 'maxBodyBytes');
  const requireExpires = options.requireExpires ?? true;
  const requireNonce = options.requireNonce ?? true;
  const now = options.now ?? Date.now;
  const replayStore =
    options.replayStore === false
      ? undefined
      : (options.replayStore ?? new MemoryReplayStore({ now }));
  if (replayStore !== undefined && typeof replayStore.checkAndStore !== 'function') {
    throw new SignatureConfigError('must implement checkAndStore', { path: 'replayStore' });
  }
  const origin = options.origin?.replace(/\/+$/, '');
  if (origin !== undefined && !ORIGIN.test(origin)) {
    throw new SignatureConfigError('must be scheme://host[:port]', { path: 'origin' });
  }
  const receiptVerifier: ReceiptVerifier | undefined =
    options.receipts === undefined ? undefined : createReceiptVerifier(options.receipts);
  const limits = { maxLength: maxHeaderBytes, maxMembers: maxSignatures };

  // Synchronous until a store or receipt check answers with a promise: the common path (memory
  // replay store, no receipt) allocates no promise.
  function verifyMessage(message: VerifiableMessage): VerifyResult | Promise<VerifyResult> {
    const header = headerAccessor(message.headers);
    const inputField = header('signature-input');
    const signatureField = header('signature');
    if (inputField === undefined && signatureField === undefined) {
      return verifyFailure('missing_signature');
    }
    if (inputField === undefined || signatureField === undefined) {
      return verifyFailure('malformed_signature');
    }
    if (inputField.length > maxHeaderBytes || signatureField.length > maxHeaderBytes) {
      return verifyFailure('header_too_large');
    }
    const fields = readFields(inputField, signatureField);
    if ('ok' in fields) return fields;
    const { params, names, components, signatureParams, signatureBytes } = fields;

    // Parameters.
    const created = params.get('created');
    const expires = params.get('expires');
    const nonce = params.get('nonce');
    const keyId = params.get('keyid');
    const alg = params.get('alg');
    if (
      (created !== undefined && !isSeconds(created)) ||
      (expires !== undefined && !isSeconds(expires)) ||
      (nonce !== undefined &&
        (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH)) ||
      (keyId !== undefined && typeof keyId !== 'string') ||
      (alg !== undefined && typeof alg !== 'string')
    ) {
      return verifyFailure('malformed_signature');
    }
    if (
      created === undefined ||
      keyId === undefined ||
      (requireExpires && expires === undefined) ||
      (requireNonce && nonce === undefined)
    ) {
      return verifyFailure('missing_parameter');
    }
    if (expires !== undefined && expires < created) return verifyFailure('malformed_signature');

    // Covered components.
    const { covered, complete } = coverageOf(names);
    if (!complete) return verifyFailure('missing_component');
    if (!covered.has('content-type') && header('content-type') !== undefined) {
      return verifyFailure('missing_component');
    }
    for (const name of IDENTITY_HEADER_NAMES) {
      if (!covered.has(name) && header(name) !== undefined) {
        return verifyFailure('missing_component');
      }
    }

    // Key and time.
    const key = keys.get(keyId);
    if (key === undefined) return verifyFailure('unknown_key');
    if (alg !== undefined && alg !== key.alg) return verifyFailure('alg_mismatch');
    const nowSeconds = Math.floor(now() / 1000);
    if (created > nowSeconds + clockSkew) return verifyFailure('created_in_future');
    if (nowSeconds - created > maxAge + clockSkew) return verifyFailure('expired');
    if (expires !== undefined && nowSeconds > expires + clockSkew) return verifyFailure('expired');

    // Signature.
    const base = createSignatureBase(
      { method: message.method, url: message.url, header },
      components,
      signatureParams,
    );
    if (!base.ok) {
      return verifyFailure(
        base.reason === 'malformed_component' ? 'malformed_signature' : base.reason,
      );
    }
    // Only a base longer than the limit can hold a covered header longer than the limit.
    if (base.base.length > maxHeaderBytes) {
      for (const name of names) {
        if (name.charCodeAt(0) !== 0x40 && (header(name)?.length ?? 0) > maxHeaderBytes) {
          return verifyFailure('header_too_large');
        }
      }
    }
    if (!key.verify(base.base, signatureBytes)) return verifyFailure('bad_signature');

    // Body.
    const body = message.body ?? EMPTY;
    const digest = header('content-digest');
    if (digest === undefined || checkContentDigest(digest, body) !== true) {
      return verifyFailure('digest_mismatch');
    }

    // Identity, from covered headers only.
    const subject = decodeCached(header(IDENTITY_HEADERS.subject)!);
    const tenantId = decodeCached(header(IDENTITY_HEADERS.tenantId)!);
    const roles = decodeRolesCached(header(IDENTITY_HEADERS.roles)!);
    const decisionId = decodeIdentityValue(header(IDENTITY_HEADERS.decisionId)!);
    const tool = decodeCached(header(IDENTITY_HEADERS.tool)!);
    const agentHeader = header(IDENTITY_HEADERS.agentId);
    const agentId = agentHeader === undefined ? undefined : decodeCached(agentHeader);
    const receiptHeader = header(IDENTITY_HEADERS.approvalReceipt);
    const approvalReceipt =
      receiptHeader === undefined ? undefined : decodeIdentityValue(receiptHeader);
    if (
      !subject ||
      !tenantId ||
      roles === undefined ||
      !decisionId ||
      !tool ||
      (agentHeader !== undefined && !agentId) ||
      (receiptHeader !== undefined && !approvalReceipt)
    ) {
      return verifyFailure('malformed_identity');
    }
    const identity: Mutable<VerifiedIdentity> = { subject, tenantId, roles, decisionId, tool };
    if (agentId !== undefined) identity.agentId = agentId;
    if (approvalReceipt !== undefined) identity.approvalReceipt = approvalReceipt;
    const success: VerifySuccess = {
      ok: true,
      identity,
      signature: { label, keyId, alg: key.alg, created, expires, nonce, components: names },
      body,
    };
    const until = ((expires ?? created + maxAge) + clockSkew) * 1000;
    if (receiptVerifier !== undefined && approvalReceipt !== undefined) {
      return checkReceipt(receiptVerifier, identity, approvalReceipt).then((failure) =>
        failure === undefined ? checkReplay(success, keyId, nonce, until) : failure,
      );
    }
    return checkReplay(success, keyId, nonce, until);
  }

  // Replay: last, so that only a request that passed every other check consumes its nonce.
  function checkReplay(
    success: VerifySuccess,
    keyId: string,
    nonce: string | undefined,
    until: number,
  ): VerifyResult | Promise<VerifyResult> {
    if (replayStore === undefined || nonce === undefined) return success;
    const fresh = replayStore.checkAndStore(keyId, nonce, until);
    if (typeof fresh === 'boolean') return fresh ? success : verifyFailure('replayed');
    return fresh.then((ok) => (ok ? success : verifyFailure('replayed')));
  }

  // What a list of covered names satisfies. Lists repeat (the fast path hands out the same
  // frozen array for the same list), so the answer is kept per array, weakly.
  const coverageCache = new WeakMap<readonly string[], Coverage>();
  function coverageOf(names: readonly string[]): Coverage {
    let coverage = coverageCache.get(names);
    if (coverage === undefined) {
      const covered = new Set(names);
      const target =
        covered.has('@target-uri') ||
        (covered.has('@authority') && covered.has('@path') && covered.has('@query'));
      coverage = { covered, complete: target && required.every((name) => covered.has(name)) };
      coverageCache.set(names, coverage);
    }
    return coverage;
  }

  // Reads our member of Signature-Input / Signature: the fast path for the canonical form the
  // signer emits, the strict parser for anything else.
  function readFields(inputField: string, signatureField: string): SignatureFields | VerifyFailure {
    const fast = fastSignatureInput(inputField, label);
    const fastBytes = fast === undefined ? undefined : fastSignature(signatureField, label);
    if (fast !== undefined && fastBytes !== undefined) {
      return {
        params: fast.params,
        names: fast.names,
        components: fast.names,
        signatureParams: fast.serialized,
        signatureBytes: fastBytes,
      };
    }
    let inputs: SfDictionary;
    let signatures: SfDictionary;
    try {
      inputs = parseDictionary(inputField, limits);
      signatures = parseDictionary(signatureField, limits);
    } catch (error) {
      if (!(error instanceof StructuredFieldError)) throw error;
      return verifyFailure(
        error.reason === 'duplicate_key' || error.reason === 'too_many_members'
          ? 'multiple_signatures'
          : error.reason === 'too_large'
            ? 'header_too_large'
            : 'malformed_signature',
      );
    }
    const input = inputs.get(label);
    if (input === undefined) return verifyFailure('label_not_found');
    const signatureItem = signatures.get(label);
    if (
      signatureItem === undefined ||
      !isInnerList(input) ||
      isInnerList(signatureItem) ||
      !(signatureItem.value instanceof Uint8Array) ||
      signatureItem.params.size > 0
    ) {
      return verifyFailure('malformed_signature');
    }
    const components: CoveredComponent[] = [];
    const names: string[] = [];
    for (const item of input.items) {
      if (typeof item.value !== 'string') return verifyFailure('malformed_signature');
      components.push({ name: item.value, params: item.params });
      if (item.params.size === 0) names.push(item.value);
    }
    return {
      params: input.params,
      names,
      components,
      signatureParams: serializeInnerList(input),
      signatureBytes: signatureItem.value,
    };
  }

  return {
    maxBodyBytes,
    origin,
    verifyMessage,
    async verify(request) {
      // Cheap refusals before the body is read.
      if (!request.headers.has('signature-input') && !request.headers.has('signature')) {
        return verifyFailure('missing_signature');
      }
      const body = await readRequestBody(request, maxBodyBytes);
      if (body === undefined) return verifyFailure('body_too_large');
      let url = request.url;
      const hash = url.indexOf('#');
      if (hash >= 0) url = url.slice(0, hash);
      if (origin !== undefined) {
        const pathStart = url.indexOf('/', url.indexOf('://') + 3);
        url = origin + (pathStart < 0 ? '/' : url.slice(pathStart));
      }
      return verifyMessage({ method: request.method, url, headers: request.headers, body });
    },
  };
}

// Subjects, tenants, tools, agents and role lists repeat from request to request; decoding
// them is pure, so a few hundred answers are kept (the caches are cleared when full).
const decodedValues = new Map<string, string | undefined>();
function decodeCached(value: string): string | undefined {
  let decoded = decodedValues.get(value);
  if (decoded === undefined && !decodedValues.has(value)) {
    decoded = decodeIdentityValue(value);
    if (decodedValues.size >= 512) decodedValues.clear();
    if (value.length <= 256) decodedValues.set(value, decoded);
  }
  return decoded;
}
const decodedRoles = new Map<string, readonly string[] | undefined>();
function decodeRolesCached(value: string): readonly string[] | undefined {
  let roles = decodedRoles.get(value);
  if (roles === undefined && !decodedRoles.has(value)) {
    const parsed = decodeRoles(value);
    roles = parsed === undefined ? undefined : Object.freeze(parsed);
    if (decodedRoles.size >= 256) decodedRoles.clear();
    if (value.length <= 1024) decodedRoles.set(value, roles);
  }
  return roles;
}

interface Coverage {
  readonly covered: ReadonlySet<string>;
  /** The target and every required component are covered. */
  readonly complete: boolean;
}

interface SignatureFields {
  readonly params: SfParameters;
  readonly names: readonly string[];
  readonly components: readonly (CoveredComponent | string)[];
  readonly signatureParams: string;
  readonly signatureBytes: Uint8Array;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

async function checkReceipt(
  verifier: ReceiptVerifier,
  identity: Mutable<VerifiedIdentity>,
  jws: string,
): Promise<VerifyFailure | undefined> {
  const checked = await verifier(jws);
  if (!checked.ok) return verifyFailure('bad_receipt');
  if (checked.claims.tenantId !== identity.tenantId || checked.claims.tool !== identity.tool) {
    return verifyFailure('receipt_mismatch');
  }
  identity.receipt = checked.claims;
  return undefined;
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function positiveInt(value: number | undefined, fallback: number, path: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) {
    throw new SignatureConfigError('must be a positive integer', { path });
  }
  return v;
}

function nonNegativeInt(value: number | undefined, fallback: number, path: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) {
    throw new SignatureConfigError('must be a non-negative integer', { path });
  }
  return v;
}
