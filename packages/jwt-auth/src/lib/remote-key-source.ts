import type { Logger } from '@agentguard/core';
import type { JwtAlgorithm } from '../algorithms.js';
import { checkFetchUrl, fetchJson, type FetchLimits } from './fetch-json.js';
import { KeySet, type KeyLookup, type KeySource } from './key-set.js';

/** Resolved remote-fetch settings, in milliseconds. */
export interface RemoteSettings extends FetchLimits {
  readonly maxAgeMs: number;
  readonly cooldownMs: number;
  readonly staleIfErrorMs: number;
  readonly allowHttp: boolean;
  readonly logger: Logger;
  readonly now: () => number;
}

const UNKNOWN_KID: KeyLookup = Object.freeze({ reason: 'unknown_kid' as const });
const UNAVAILABLE: KeyLookup = Object.freeze({ reason: 'key_unavailable' as const });

/**
 * A remote JWKS: fetched on first use, fresh for `maxAge`, refetched when a token names an
 * unknown `kid` (at most once per `cooldown`), and kept past its freshness while the endpoint
 * fails (stale-if-error), so an outage does not lock out tokens signed by known keys. One
 * fetch at a time; callers waiting for it share it.
 */
export class RemoteKeySource implements KeySource {
  readonly #locate: () => Promise<string>;
  readonly #settings: RemoteSettings;
  readonly #label: string;
  #set: KeySet | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;

  /** `locate` yields the JWKS URL (fixed, or found through discovery). */
  constructor(locate: () => Promise<string>, label: string, settings: RemoteSettings) {
    this.#locate = locate;
    this.#label = label;
    this.#settings = settings;
  }

  lookup(kid: string | undefined, alg: JwtAlgorithm): KeyLookup | Promise<KeyLookup> {
    // A fetch under way: wait for it rather than answer from what it is replacing.
    if (this.#inflight !== undefined) return this.#refreshThenFind(kid, alg);
    const now = this.#settings.now();
    const set = this.#set;
    const mayFetch = now - this.#lastAttempt >= this.#settings.cooldownMs;
    if (set !== undefined && now - this.#fetchedAt < this.#settings.maxAgeMs) {
      const found = set.find(kid, alg);
      if (typeof found !== 'string') return { key: found };
      if (found === 'absent' && mayFetch) return this.#refreshThenFind(kid, alg);
      return UNKNOWN_KID;
    }
    if (mayFetch) return this.#refreshThenFind(kid, alg);
    // A fetch failed within the cooldown: serve what we have, if it is not too old.
    return this.#findUsable(kid, alg, now);
  }

  async #refreshThenFind(kid: string | undefined, alg: JwtAlgorithm): Promise<KeyLookup> {
    await this.refresh();
    return this.#findUsable(kid, alg, this.#settings.now());
  }

  #findUsable(kid: string | undefined, alg: JwtAlgorithm, now: number): KeyLookup {
    const set = this.#set;
    if (set === undefined) return UNAVAILABLE;
    const age = now - this.#fetchedAt;
    if (age >= this.#settings.maxAgeMs + this.#settings.staleIfErrorMs) return UNAVAILABLE;
    const found = set.find(kid, alg);
    return typeof found === 'string' ? UNKNOWN_KID : { key: found };
  }

  /** Fetches the key set now (shared with a fetch already running). Never rejects. */
  refresh(): Promise<void> {
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #load(): Promise<void> {
    this.#lastAttempt = this.#settings.now();
    let url: string | undefined;
    try {
      url = await this.#locate();
      const body = await fetchJson(url, this.#settings);
      const { set, skipped } = KeySet.fromJwks(body);
      if (set.size === 0) throw new Error('no usable signature keys');
      if (skipped > 0) {
        this.#settings.logger.warn('jwks keys skipped', { issuer: this.#label, url, skipped });
      }
      this.#set = set;
      this.#fetchedAt = this.#settings.now();
    } catch (error) {
      this.#settings.logger.warn('jwks fetch failed', {
        issuer: this.#label,
        url,
        error: error instanceof Error ? error.message : 'unknown error',
        keptStaleKeys: this.#set !== undefined,
      });
    }
  }
}

/**
 * Returns a function that finds the `jwks_uri` of `issuer` through OIDC discovery, once: the
 * document's `issuer` must equal the configured one exactly (OpenID Connect Discovery §4.3).
 */
export function discoverJwksUri(issuer: string, settings: RemoteSettings): () => Promise<string> {
  const documentUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let found: string | undefined;
  return async function locate(): Promise<string> {
    if (found !== undefined) return found;
    const document = await fetchJson(documentUrl, settings);
    if (typeof document !== 'object' || document === null) {
      throw new Error('discovery document is not an object');
    }
    const fields = document as Record<string, unknown>;
    if (fields['issuer'] !== issuer) throw new Error('discovery issuer mismatch');
    const uri = checkFetchUrl(fields['jwks_uri'], settings.allowHttp);
    if (typeof uri === 'string') throw new Error(`discovery jwks_uri ${uri}`);
    found = uri.href;
    return found;
  };
}
