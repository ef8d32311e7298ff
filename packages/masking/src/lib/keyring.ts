import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { forgetLastMatch } from '@agentguard/core';
import type { KeyProvider, KeySet } from '../types.js';

/** Keys of one tenant under one key id, derived for each use. */
export interface TenantKeys {
  readonly keyId: string;
  readonly enc: Buffer;
  readonly mac: Buffer;
}

export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const TOKEN = /^agtok_v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{38,87400})$/;
const SALT = Buffer.from('agentguard-masking/v1');
const MAX_CACHE = 1024;

/** Decodes a base64 or base64url 32-byte key, or returns undefined. */
export function decodeKey(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) return undefined;
  // (Node's base64 decoder reads the URL-safe alphabet too: no regular expression after the test,
  // whose match, the key, is cleared from the legacy RegExp statics at once.)
  forgetLastMatch();
  const key = Buffer.from(text, 'base64');
  return key.length === 32 ? key : undefined;
}

/** Returns a problem with a key set, or undefined when it is valid. */
export function keySetProblem(set: unknown): string | undefined {
  if (typeof set !== 'object' || set === null) return 'must be { current, keys }';
  const { current, keys } = set as Partial<KeySet>;
  if (typeof current !== 'string' || !KEY_ID.test(current)) {
    return 'current must be a key id of 1-32 [A-Za-z0-9_-]';
  }
  if (typeof keys !== 'object' || (keys as unknown) === null) return 'keys must be an object';
  if (!Object.hasOwn(keys, current)) return 'current must name one of keys';
  for (const [id, key] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) return 'key ids must be 1-32 [A-Za-z0-9_-]';
    if (decodeKey(key) === undefined) return `key ${id} must be 32 bytes in base64`;
  }
  return undefined;
}

function derive(base: Buffer, use: string, tenantId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', base, SALT, `${use}\0${tenantId}`, 32));
}

/**
 * Per-tenant key material. Every key (the master key or a tenant's own key) is expanded with
 * HKDF-SHA256 into separate encryption and MAC keys bound to the tenant id, so a key shared by
 * several tenants still gives each tenant its own pseudonyms and tokens.
 */
export class Keyring {
  readonly #source: KeyProvider;
  readonly #cache = new Map<string, TenantKeys>();

  constructor(source: KeyProvider) {
    this.#source = source;
  }

  #keys(tenantId: string, keyId: string | undefined): TenantKeys | undefined {
    const set = this.#source(tenantId);
    if (set === undefined || keySetProblem(set) !== undefined) return undefined;
    const id = keyId ?? set.current;
    const text = Object.hasOwn(set.keys, id) ? set.keys[id] : undefined;
    if (text === undefined) return undefined;
    const cacheKey = `${tenantId}\0${id}\0${text}`;
    let keys = this.#cache.get(cacheKey);
    if (keys === undefined) {
      const base = decodeKey(text);
      if (base === undefined) return undefined;
      keys = { keyId: id, enc: derive(base, 'enc', tenantId), mac: derive(base, 'mac', tenantId) };
      if (this.#cache.size >= MAX_CACHE) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(cacheKey, keys);
    }
    return keys;
  }

  /** The tenant's current keys, or undefined when the tenant has none. */
  current(tenantId: string): TenantKeys | undefined {
    return this.#keys(tenantId, undefined);
  }

  /** A keyed pseudonym: HMAC-SHA256 of the type and value, 72 bits in base64url. */
  pseudonym(keys: TenantKeys, type: string, value: string): string {
    return createHmac('sha256', keys.mac)
      .update(`${type}\0${value}`)
      .digest('base64url')
      .slice(0, 12);
  }

  /** Encrypts `type` and `value` into a token bound to the tenant and key id. */
  seal(keys: TenantKeys, tenantId: string, type: string, value: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keys.enc, iv);
    cipher.setAAD(Buffer.from(`agtok_v1\0${tenantId}\0${keys.keyId}`));
    const body = Buffer.concat([cipher.update(`${type}\0${value}`, 'utf8'), cipher.final()]);
    const blob = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    return `agtok_v1.${keys.keyId}.${blob}`;
  }

  /** Decrypts a token for `tenantId`. */
  open(
    token: string,
    tenantId: string,
  ):
    | { readonly ok: true; readonly keyId: string; readonly type: string; readonly value: string }
    | { readonly ok: false; readonly reason: string; readonly keyId?: string } {
    const m = TOKEN.exec(token);
    if (m === null) return { ok: false, reason: 'malformed_token' };
    // (The token is the legacy RegExp statics' input now: cleared.)
    forgetLastMatch();
    const keyId = m[1]!;
    const keys = this.#keys(tenantId, keyId);
    if (keys === undefined) return { ok: false, reason: 'unknown_key', keyId };
    const blob = Buffer.from(m[2]!, 'base64url');
    if (blob.length < 29) return { ok: false, reason: 'malformed_token', keyId };
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.enc, blob.subarray(0, 12));
      decipher.setAAD(Buffer.from(`agtok_v1\0${tenantId}\0${keyId}`));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      const plain = Buffer.concat([
        decipher.update(blob.subarray(12, blob.length - 16)),
        decipher.final(),
      ]).toString('utf8');
      const sep = plain.indexOf('\0');
      if (sep === -1) return { ok: false, reason: 'invalid_token', keyId };
      return { ok: true, keyId, type: plain.slice(0, sep), value: plain.slice(sep + 1) };
    } catch {
      return { ok: false, reason: 'invalid_token', keyId };
    }
  }
}

/** SHA-256 of a token, base64url, first 16 characters (for audit correlation). */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 16);
}
