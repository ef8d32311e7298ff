import { randomBytes } from 'node:crypto';
import type { CallSigner, SignerProvider } from './call-signer.js';
import { createContentDigest } from './content-digest.js';
import {
  IDENTITY_HEADER_NAMES,
  encodeIdentityHeaders,
  type SignerIdentity,
} from './identity-headers.js';
import { fetchSigned, type FetchFunction } from './lib/fetch-signed.js';
import { SignatureConfigError } from './signature-config-error.js';
import { createSignatureBase } from './signature-base.js';
import { importSigningKey, type SigningKey, type SigningKeyInput } from './signature-keys.js';
import { parseDictionary } from './structured-field/parse-structured-field.js';
import {
  serializeDictionary,
  serializeString,
} from './structured-field/serialize-structured-field.js';
import type { SfMember } from './structured-field/types.js';

/** How the request target is covered. */
export type TargetCoverage = 'target-uri' | 'authority-path-query';

/** Options of {@link createSigner}. */
export interface SignerOptions {
  /**
   * The keys this signer holds. One signs (see `signingKeyId`); listing the others documents
   * the rotation set. Required, at least one. HMAC secrets must be at least 32 bytes.
   */
  readonly keys: readonly SigningKeyInput[];
  /** Id of the key that signs. Default: the first key. Rotate by changing it. */
  readonly signingKeyId?: string | undefined;
  /** Signature label in `Signature-Input` / `Signature`. Default `agentguard`. */
  readonly label?: string | undefined;
  /** Seconds from `created` to `expires`. Default 60; 1 to 3,600. */
  readonly expiresIn?: number | undefined;
  /**
   * `target-uri` (default) covers `@target-uri`; `authority-path-query` covers `@authority`,
   * `@path` and `@query` instead (for backends behind a proxy that rewrites the scheme).
   */
  readonly target?: TargetCoverage | undefined;
  /** More header names (lowercase) to cover whenever the request carries them. Default none. */
  readonly additionalHeaders?: readonly string[] | undefined;
  /** Send the `alg` parameter. Default `true`. */
  readonly includeAlg?: boolean | undefined;
  /** A `tag` parameter naming the application profile. Default none. */
  readonly tag?: string | undefined;
  /** Name shown in audit events. Default `hmac-signing`. */
  readonly name?: string | undefined;
  /** The `fetch` that `CallSigner.fetch` sends with. Default: the global `fetch`, at call time. */
  readonly fetch?: FetchFunction | undefined;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** Nonce generator. Default: 128 random bits, base64url. */
  readonly nonce?: (() => string) | undefined;
}

/** The parts of a request {@link Signer.signHeaders} signs. */
export interface RequestParts {
  readonly method: string;
  /** Absolute URL the request is sent to. A fragment is not part of the target and is dropped. */
  readonly url: string | URL;
  /** Changed in place: identity, `content-digest`, `signature-input` and `signature` are set. */
  readonly headers: Headers;
  /** The exact body bytes that will be sent; `null` or absent for none. */
  readonly body?: Uint8Array | null | undefined;
}

/** What {@link createSigner} returns: a core `SignerProvider` that can also sign directly. */
export interface Signer extends SignerProvider {
  /** Id of the key that signs. */
  readonly keyId: string;
  /** The signature label. */
  readonly label: string;
  /** A signer bound to one call's identity (what the guard gives each handler). */
  forCall(identity: SignerIdentity): CallSigner;
  /**
   * Returns a signed copy of `request` (its body is read). With `identity`, the identity
   * headers are set (any the request carried are replaced or removed).
   */
  sign(request: Request, identity?: SignerIdentity): Promise<Request>;
  /** Signs requests sent by other means than `fetch` (`node:http`, axios, got). Synchronous. */
  signHeaders(parts: RequestParts, identity?: SignerIdentity): void;
}

const LABEL = /^[a-z*][a-z0-9_\-.*]{0,63}$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+\-.^_`|~]+$/;
const NONCE = /^[\x21-\x7e]{16,128}$/;
const EMPTY = new Uint8Array(0);

/**
 * Creates a request signer: RFC 9421 HTTP Message Signatures (`hmac-sha256` or `ed25519`)
 * covering `@method`, the target, `content-digest` (RFC 9530, always, also for empty bodies),
 * `content-type` when present, and the identity headers, with `created`, `expires`, `nonce`,
 * `keyid` and `alg`.
 *
 * @example
 * const signer = createSigner({
 *   keys: [{ id: 'backend-2025-06', alg: 'hmac-sha256', secret: Buffer.from(process.env.SIGNING_SECRET!, 'base64') }],
 * });
 * const guard = createGuard({ authenticator, accessControl, signer });
 * const placeOrder = guard('orders.place', { input }, async (args, { signer }) =>
 *   (await signer!.fetch('https://orders.internal/orders', { method: 'POST', body: JSON.stringify(args) })).json(),
 * );
 */
export function createSigner(options: SignerOptions): Signer {
  const raw = options as unknown;
  if (typeof raw !== 'object' || raw === null) {
    throw new SignatureConfigError('options are required', { path: 'signer' });
  }
  const keyList = options.keys as unknown;
  if (!Array.isArray(keyList) || keyList.length === 0) {
    throw new SignatureConfigError('at least one key is required', { path: 'keys' });
  }
  const keys = new Map<string, SigningKey>();
  options.keys.forEach((input, i) => {
    const key = importSigningKey(input, `keys[${i}]`);
    if (keys.has(key.id))
      throw new SignatureConfigError('duplicate key id', { path: `keys[${i}].id` });
    keys.set(key.id, key);
  });
  const signingKeyId = options.signingKeyId ?? options.keys[0]!.id;
  const key = keys.get(signingKeyId);
  if (!key) throw new SignatureConfigError('no key with this id', { path: 'signingKeyId' });
  const signingKey: SigningKey = key;

  const label = options.label ?? 'agentguard';
  if (!LABEL.test(label)) {
    throw new SignatureConfigError('must be a lowercase structured-field key', { path: 'label' });
  }
  const expiresIn = options.expiresIn ?? 60;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 3600) {
    throw new SignatureConfigError('must be an integer from 1 to 3600', { path: 'expiresIn' });
  }
  const target = options.target ?? 'target-uri';
  if ((target as string) !== 'target-uri' && (target as string) !== 'authority-path-query') {
    throw new SignatureConfigError('must be target-uri or authority-path-query', {
      path: 'target',
    });
  }
  const additional = [...(options.additionalHeaders ?? [])];
  additional.forEach((name, i) => {
    if (
      typeof name !== 'string' ||
      !HEADER_NAME.test(name) ||
      ['content-digest', 'content-type', 'signature', 'signature-input'].includes(name) ||
      IDENTITY_HEADER_NAMES.includes(name)
    ) {
      throw new SignatureConfigError('must be a lowercase header name not covered already', {
        path: `additionalHeaders[${i}]`,
      });
    }
  });
  let paramsTail = `;keyid=${serializeString(signingKey.id)}`;
  if (options.includeAlg ?? true) paramsTail += `;alg="${signingKey.alg}"`;
  if (options.tag !== undefined) {
    try {
      paramsTail += `;tag=${serializeString(options.tag)}`;
    } catch {
      throw new SignatureConfigError('must be printable ASCII', { path: 'tag' });
    }
  }
  const now = options.now ?? Date.now;
  const nonce = options.nonce ?? (() => randomBytes(16).toString('base64url'));
  const fetchImpl = options.fetch;
  const targetComponents: readonly string[] =
    target === 'target-uri' ? ['@target-uri'] : ['@authority', '@path', '@query'];
  const fixedComponents = ['@method', ...targetComponents, 'content-digest'];

  function signHeaders(parts: RequestParts, identity?: SignerIdentity): void {
    applySignature(parts, identity === undefined ? undefined : encodeIdentityHeaders(identity));
  }

  function applySignature(parts: RequestParts, identity: [string, string][] | undefined): void {
    const { headers } = parts;
    const method = parts.method;
    let url = typeof parts.url === 'string' ? parts.url : parts.url.href;
    const hash = url.indexOf('#');
    if (hash >= 0) url = url.slice(0, hash);
    // Values this call sets, kept beside the Headers object: each Headers operation costs
    // more than a Map lookup, and the base reads them all again.
    const values = new Map<string, string>();
    if (identity !== undefined) {
      for (const [name, value] of identity) values.set(name, value);
      for (const name of IDENTITY_HEADER_NAMES) {
        if (!values.has(name)) headers.delete(name);
      }
      for (const [name, value] of identity) headers.set(name, value);
    }
    const digest = createContentDigest(parts.body ?? EMPTY);
    headers.set('content-digest', digest);
    values.set('content-digest', digest);

    const names = [...fixedComponents];
    const contentType = headers.get('content-type');
    if (contentType !== null) {
      names.push('content-type');
      values.set('content-type', contentType);
    }
    if (identity !== undefined) {
      for (const name of IDENTITY_HEADER_NAMES) if (values.has(name)) names.push(name);
    } else {
      for (const name of IDENTITY_HEADER_NAMES) if (headers.has(name)) names.push(name);
    }
    for (const name of additional) if (headers.has(name)) names.push(name);

    const created = Math.floor(now() / 1000);
    const n = nonce();
    if (!NONCE.test(n)) throw new TypeError('nonce must be 16-128 visible ascii characters');
    const params = `(${names.map((c) => `"${c}"`).join(' ')});created=${created};expires=${
      created + expiresIn
    };nonce=${serializeString(n)}${paramsTail}`;
    const result = createSignatureBase(
      { method, url, header: (name) => values.get(name) ?? headers.get(name) ?? undefined },
      names,
      params,
    );
    if (!result.ok) throw new TypeError(`cannot sign: ${result.reason}`);
    const signature = signingKey.sign(result.base).toString('base64');
    setMember(headers, 'signature-input', label, params);
    setMember(headers, 'signature', label, `:${signature}:`);
  }

  async function signRequest(
    request: Request,
    identity: [string, string][] | undefined,
  ): Promise<Request> {
    const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
    const headers = new Headers(request.headers);
    applySignature({ method: request.method, url: request.url, headers, body }, identity);
    return new Request(request, body === null ? { headers } : { headers, body });
  }

  const signer: Signer = {
    kind: 'signer',
    name: options.name ?? 'hmac-signing',
    keyId: key.id,
    label,
    forCall(identity) {
      // Called on every guarded call: the identity headers are encoded when the handler first
      // signs something, not before (most calls forward nothing). An invalid identity fails
      // that sign(), as it always did.
      let encoded: [string, string][] | undefined;
      const sign = (request: Request): Promise<Request> => {
        try {
          encoded ??= encodeIdentityHeaders(identity);
        } catch (error) {
          return Promise.reject(error instanceof Error ? error : new TypeError('invalid identity'));
        }
        return signRequest(request, encoded);
      };
      return {
        sign,
        fetch: (input, init) => fetchSigned(sign, fetchImpl, input, init),
      };
    },
    async sign(request, identity) {
      return signRequest(
        request,
        identity === undefined ? undefined : encodeIdentityHeaders(identity),
      );
    },
    signHeaders,
  };
  return Object.freeze(signer);
}

// Adds our member to a Signature / Signature-Input dictionary, keeping other signers' members
// (RFC 9421 §4.3 allows several signatures) and replacing a previous one with our label.
function setMember(headers: Headers, field: string, label: string, value: string): void {
  const existing = headers.get(field);
  if (existing === null || existing === '') {
    headers.set(field, `${label}=${value}`);
    return;
  }
  let members: Map<string, SfMember>;
  try {
    members = new Map(parseDictionary(existing));
  } catch {
    headers.set(field, `${label}=${value}`);
    return;
  }
  members.delete(label);
  const others = members.size === 0 ? '' : `${serializeDictionary(members)}, `;
  headers.set(field, `${others}${label}=${value}`);
}
