import type { JwtAlgorithm } from '../algorithms.js';
import { hmacHash } from './algorithms.js';
import type { KeyLookup, KeySet, KeySource } from './key-set.js';

const UNKNOWN_KID: KeyLookup = Object.freeze({ reason: 'unknown_kid' as const });

/** Keys given in the configuration (a local JWKS, a PEM or JWK public key). */
export class StaticKeySource implements KeySource {
  readonly #set: KeySet;
  readonly #ignoreKid: boolean;
  readonly #lookups = new Map<unknown, KeyLookup>();

  /** `ignoreKid`: one configured key without a `kid` verifies tokens whatever their `kid`. */
  constructor(set: KeySet, ignoreKid = false) {
    this.#set = set;
    this.#ignoreKid = ignoreKid;
  }

  lookup(kid: string | undefined, alg: JwtAlgorithm): KeyLookup {
    const found = this.#set.find(this.#ignoreKid ? undefined : kid, alg);
    if (typeof found === 'string') return UNKNOWN_KID;
    let result = this.#lookups.get(found);
    if (result === undefined) {
      result = Object.freeze({ key: found });
      this.#lookups.set(found, result);
    }
    return result;
  }
}

/**
 * An HMAC shared secret, imported once per algorithm as a non-extractable CryptoKey (jose
 * would otherwise import raw bytes again on every verification).
 */
export class SecretKeySource implements KeySource {
  readonly #secret: Uint8Array<ArrayBuffer>;
  readonly #kid: string | undefined;
  readonly #ready = new Map<JwtAlgorithm, KeyLookup>();
  readonly #pending = new Map<JwtAlgorithm, Promise<KeyLookup>>();

  constructor(secret: Uint8Array<ArrayBuffer>, kid: string | undefined) {
    this.#secret = secret;
    this.#kid = kid;
  }

  lookup(kid: string | undefined, alg: JwtAlgorithm): KeyLookup | Promise<KeyLookup> {
    if (this.#kid !== undefined && kid !== undefined && kid !== this.#kid) return UNKNOWN_KID;
    const ready = this.#ready.get(alg);
    if (ready !== undefined) return ready;
    let pending = this.#pending.get(alg);
    if (pending === undefined) {
      pending = crypto.subtle
        .importKey('raw', this.#secret, { name: 'HMAC', hash: hmacHash(alg) }, false, ['verify'])
        .then((key) => {
          const lookup: KeyLookup = Object.freeze({ key });
          this.#ready.set(alg, lookup);
          return lookup;
        });
      this.#pending.set(alg, pending);
    }
    return pending;
  }
}
