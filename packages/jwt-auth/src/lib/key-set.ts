import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from '../algorithms.js';
import { isSupportedAlgorithm, keyFitsAlgorithm } from './algorithms.js';

/** A key `jose` can verify with. */
export type VerifyKey = KeyObject | CryptoKey;

/** What a key source answers for a `kid` and algorithm. */
export type KeyLookup =
  { readonly key: VerifyKey } | { readonly reason: 'unknown_kid' | 'key_unavailable' };

/** Where an issuer's verification keys come from. */
export interface KeySource {
  lookup(kid: string | undefined, alg: JwtAlgorithm): KeyLookup | Promise<KeyLookup>;
}

interface Entry {
  readonly kid: string | undefined;
  /** The JWK's own `alg`, which restricts the key to that algorithm. */
  readonly alg: string | undefined;
  readonly key: KeyObject;
}

/** A lookup miss: `absent` when no key has the kid (worth a refetch), else `no_fit`. */
export type FindResult = KeyObject | 'absent' | 'no_fit' | 'ambiguous';

const MAX_KEYS = 100;

/** An immutable set of imported public keys. */
export class KeySet {
  readonly #byKid = new Map<string, Entry[]>();
  readonly #all: readonly Entry[];

  constructor(entries: readonly Entry[]) {
    this.#all = entries;
    for (const entry of entries) {
      if (entry.kid === undefined) continue;
      const list = this.#byKid.get(entry.kid);
      if (list) list.push(entry);
      else this.#byKid.set(entry.kid, [entry]);
    }
  }

  get size(): number {
    return this.#all.length;
  }

  /**
   * The key for `kid` that fits `alg`. A token without `kid` needs exactly one fitting key.
   * Header parameters such as `jku`, `x5u` or an embedded `jwk` are never consulted.
   */
  find(kid: string | undefined, alg: JwtAlgorithm): FindResult {
    if (kid !== undefined) {
      const candidates = this.#byKid.get(kid);
      if (candidates === undefined) return 'absent';
      for (const entry of candidates) if (fits(entry, alg)) return entry.key;
      return 'no_fit';
    }
    let found: KeyObject | undefined;
    for (const entry of this.#all) {
      if (!fits(entry, alg)) continue;
      if (found !== undefined) return 'ambiguous';
      found = entry.key;
    }
    return found ?? 'absent';
  }

  /** A set of one configured key (PEM, JWK, KeyObject). */
  static single(key: KeyObject, kid: string | undefined, alg: string | undefined): KeySet {
    return new KeySet([{ kid, alg, key }]);
  }

  /**
   * Imports a JWKS. Keys that are not public signature keys (private, symmetric, `use: enc`,
   * `key_ops` without `verify`, unknown `alg`) are skipped and counted.
   */
  static fromJwks(jwks: unknown): { readonly set: KeySet; readonly skipped: number } {
    if (
      typeof jwks !== 'object' ||
      jwks === null ||
      !Array.isArray((jwks as { keys?: unknown }).keys)
    ) {
      throw new TypeError('not a JWK set');
    }
    const keys = (jwks as { keys: unknown[] }).keys;
    if (keys.length > MAX_KEYS) throw new TypeError(`more than ${MAX_KEYS} keys`);
    const entries: Entry[] = [];
    let skipped = 0;
    for (const jwk of keys) {
      const entry = importJwk(jwk);
      if (entry) entries.push(entry);
      else skipped += 1;
    }
    return { set: new KeySet(entries), skipped };
  }
}

function fits(entry: Entry, alg: JwtAlgorithm): boolean {
  if (entry.alg !== undefined && entry.alg !== alg) return false;
  return keyFitsAlgorithm(entry.key, alg);
}

function importJwk(jwk: unknown): Entry | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const k = jwk as Record<string, unknown>;
  if (typeof k['kty'] !== 'string' || k['kty'] === 'oct') return undefined;
  // Private members mean a misconfigured JWKS: never use it.
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'priv'])
    if (k[member] !== undefined) return undefined;
  if (k['use'] !== undefined && k['use'] !== 'sig') return undefined;
  const ops = k['key_ops'];
  if (ops !== undefined && (!Array.isArray(ops) || !ops.includes('verify'))) return undefined;
  const kid = k['kid'];
  if (kid !== undefined && typeof kid !== 'string') return undefined;
  const alg = k['alg'];
  if (alg !== undefined && !isSupportedAlgorithm(alg)) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: k as JsonWebKey, format: 'jwk' });
  } catch {
    return undefined;
  }
  if (!strongEnough(key)) return undefined;
  return { kid, alg, key };
}

/** RSA keys under 2048 bits are refused (RFC 7518 §3.3). */
export function strongEnough(key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'rsa-pss') return true;
  return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
}
