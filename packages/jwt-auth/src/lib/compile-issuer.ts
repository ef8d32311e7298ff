import { createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import { GuardConfigError, type Logger } from '@agentguard/core';
import type { JwtAlgorithm } from '../algorithms.js';
import { claimPresets } from '../claim-presets.js';
import type { JwtAuthOptions, JwtIssuerOptions, RemoteJwksOptions } from '../jwt-auth.js';
import { hmacHash, isHmac, isSupportedAlgorithm, keyFitsAlgorithm } from './algorithms.js';
import type { ClaimChecks } from './check-claims.js';
import { compileClaims, type PrincipalContext } from './claims.js';
import { checkFetchUrl } from './fetch-json.js';
import { KeySet, strongEnough, type KeySource } from './key-set.js';
import { integerOption, normalizeTyp, stringOption } from './options.js';
import { discoverJwksUri, RemoteKeySource, type RemoteSettings } from './remote-key-source.js';
import { SecretKeySource, StaticKeySource } from './static-key-source.js';

/** One issuer, validated and ready for the hot path. */
export interface CompiledIssuer {
  readonly issuer: string;
  readonly algorithms: ReadonlySet<string>;
  readonly verifyOptions: ReadonlyMap<string, { readonly algorithms: string[] }>;
  readonly keys: KeySource;
  readonly typ: string | undefined;
  readonly checks: ClaimChecks;
  readonly principal: PrincipalContext;
}

export interface SharedSettings {
  readonly authenticatedBy: string;
  readonly defaultTenant: string | undefined;
  readonly tolerance: number;
  readonly requireExp: boolean;
  readonly logger: Logger;
  readonly now: () => number;
}

const KEY_SOURCES = ['jwksUri', 'discovery', 'jwks', 'publicKey', 'secret'] as const;
const DEFAULTABLE = ['audience', 'algorithms', 'preset', 'claims', 'typ', 'remote'] as const;

/**
 * Validates the issuer configuration(s) once. Returns the issuers by exact `iss` and the union
 * of their algorithms (the first, cheapest filter on the hot path).
 */
export function compileIssuers(
  options: JwtAuthOptions,
  shared: SharedSettings,
): { issuers: ReadonlyMap<string, CompiledIssuer>; algorithms: ReadonlySet<string> } {
  let entries: { value: JwtIssuerOptions; path: string }[];
  if (options.issuers !== undefined) {
    if (!Array.isArray(options.issuers) || options.issuers.length === 0) {
      throw new GuardConfigError('must be a non-empty array', { path: 'issuers' });
    }
    for (const field of ['issuer', 'tenantId', 'kid', ...KEY_SOURCES] as const) {
      if (options[field] !== undefined) {
        throw new GuardConfigError('set it on each entry of issuers, not at the top level', {
          path: field,
        });
      }
    }
    entries = options.issuers.map((value, i) => {
      if (typeof value !== 'object' || (value as unknown) === null) {
        throw new GuardConfigError('must be an object', { path: `issuers[${i}]` });
      }
      const merged: Record<string, unknown> = {};
      for (const field of DEFAULTABLE) merged[field] = options[field];
      for (const [key, v] of Object.entries(value as object)) if (v !== undefined) merged[key] = v;
      return { value: merged as unknown as JwtIssuerOptions, path: `issuers[${i}]` };
    });
  } else {
    entries = [{ value: options as JwtIssuerOptions, path: '' }];
  }

  const issuers = new Map<string, CompiledIssuer>();
  const algorithms = new Set<string>();
  let hmac: boolean | undefined;
  for (const { value, path } of entries) {
    const compiled = compileIssuer(value, path, shared);
    if (issuers.has(compiled.issuer)) {
      throw new GuardConfigError('duplicate issuer', { path: at(path, 'issuer') });
    }
    issuers.set(compiled.issuer, compiled);
    for (const alg of compiled.algorithms) {
      const isSecret = isHmac(alg as JwtAlgorithm);
      if (hmac !== undefined && hmac !== isSecret) {
        throw new GuardConfigError(
          'HMAC and asymmetric algorithms must not be mixed in one configuration',
          { path: at(path, 'algorithms') },
        );
      }
      hmac = isSecret;
      algorithms.add(alg);
    }
  }
  return { issuers, algorithms };
}

function at(prefix: string, field: string): string {
  return prefix === '' ? field : `${prefix}.${field}`;
}

function compileIssuer(o: JwtIssuerOptions, path: string, shared: SharedSettings): CompiledIssuer {
  const issuer = stringOption(o.issuer, at(path, 'issuer'));

  const audienceList: readonly unknown[] =
    typeof o.audience === 'string' ? [o.audience] : Array.isArray(o.audience) ? o.audience : [];
  if (
    audienceList.length === 0 ||
    audienceList.some((a) => typeof a !== 'string' || a.length === 0)
  ) {
    throw new GuardConfigError('must be a non-empty string or list of strings', {
      path: at(path, 'audience'),
    });
  }

  if (!Array.isArray(o.algorithms) || o.algorithms.length === 0) {
    throw new GuardConfigError('an allow-list of algorithms is required', {
      path: at(path, 'algorithms'),
    });
  }
  const algorithms: JwtAlgorithm[] = [];
  for (const [i, alg] of (o.algorithms as readonly unknown[]).entries()) {
    if (!isSupportedAlgorithm(alg)) {
      throw new GuardConfigError('unsupported algorithm', { path: at(path, `algorithms[${i}]`) });
    }
    algorithms.push(alg);
  }
  const secretAlgs = algorithms.filter(isHmac);
  if (secretAlgs.length > 0 && secretAlgs.length !== algorithms.length) {
    throw new GuardConfigError(
      'HMAC and asymmetric algorithms must not be mixed in one configuration',
      { path: at(path, 'algorithms') },
    );
  }

  const sources = KEY_SOURCES.filter((k) =>
    k === 'discovery' ? o.discovery === true : o[k] !== undefined,
  );
  if (sources.length !== 1) {
    throw new GuardConfigError(`exactly one key source is required (${KEY_SOURCES.join(', ')})`, {
      path: path === '' ? 'jwtAuth' : path,
    });
  }
  const source = sources[0]!;
  const usesSecret = source === 'secret';
  if (usesSecret !== secretAlgs.length > 0) {
    throw new GuardConfigError(
      usesSecret
        ? 'a shared secret needs HS256, HS384 or HS512 algorithms only'
        : 'HMAC algorithms need a shared secret (secret) as key source',
      { path: at(path, 'algorithms') },
    );
  }
  if (o.kid !== undefined && source !== 'publicKey' && source !== 'secret') {
    throw new GuardConfigError('kid applies to publicKey or secret only', {
      path: at(path, 'kid'),
    });
  }
  const kid = o.kid === undefined ? undefined : stringOption(o.kid, at(path, 'kid'));

  const keys = keySource(o, source, issuer, algorithms, kid, path, shared);

  let typ: string | undefined;
  if (o.typ !== undefined) typ = normalizeTyp(stringOption(o.typ, at(path, 'typ')));

  let boundTenant: string | undefined;
  if (o.tenantId !== undefined) boundTenant = stringOption(o.tenantId, at(path, 'tenantId'));

  if (o.preset !== undefined && !Object.hasOwn(claimPresets, o.preset)) {
    throw new GuardConfigError(`unknown preset (${Object.keys(claimPresets).join(', ')})`, {
      path: at(path, 'preset'),
    });
  }
  const claims = compileClaims(
    [o.preset === undefined ? undefined : claimPresets[o.preset], o.claims],
    at(path, 'claims'),
  );

  return {
    issuer,
    algorithms: new Set(algorithms),
    verifyOptions: new Map(algorithms.map((alg) => [alg, { algorithms: [alg] }])),
    keys,
    typ,
    checks: {
      audiences: new Set(audienceList as string[]),
      toleranceSeconds: shared.tolerance,
      requireExp: shared.requireExp,
    },
    principal: {
      claims,
      boundTenant,
      defaultTenant: shared.defaultTenant,
      authenticatedBy: shared.authenticatedBy,
    },
  };
}

function keySource(
  o: JwtIssuerOptions,
  source: (typeof KEY_SOURCES)[number],
  issuer: string,
  algorithms: readonly JwtAlgorithm[],
  kid: string | undefined,
  path: string,
  shared: SharedSettings,
): KeySource {
  const where = at(path, source);
  switch (source) {
    case 'secret':
      return new SecretKeySource(secretBytes(o.secret, algorithms, where), kid);
    case 'publicKey': {
      const key = publicKey(o.publicKey, where);
      if (!algorithms.some((alg) => keyFitsAlgorithm(key, alg))) {
        throw new GuardConfigError('the key fits none of the allowed algorithms', { path: where });
      }
      const jwkAlg =
        isJwk(o.publicKey) && typeof o.publicKey.alg === 'string' ? o.publicKey.alg : undefined;
      return new StaticKeySource(KeySet.single(key, kid, jwkAlg), kid === undefined);
    }
    case 'jwks': {
      let imported: ReturnType<typeof KeySet.fromJwks>;
      try {
        imported = KeySet.fromJwks(o.jwks);
      } catch (error) {
        throw new GuardConfigError('must be a JWK set ({ keys: [...] })', {
          path: where,
          cause: error,
        });
      }
      if (imported.set.size === 0) {
        throw new GuardConfigError('holds no usable public signature key', { path: where });
      }
      if (imported.skipped > 0) {
        shared.logger.warn('jwks keys skipped', { issuer, skipped: imported.skipped });
      }
      return new StaticKeySource(imported.set);
    }
    case 'jwksUri': {
      const settings = remoteSettings(o.remote, at(path, 'remote'), shared);
      const url = checkFetchUrl(o.jwksUri, settings.allowHttp);
      if (typeof url === 'string') throw new GuardConfigError(url, { path: where });
      const href = url.href;
      return new RemoteKeySource(() => Promise.resolve(href), issuer, settings);
    }
    case 'discovery': {
      const settings = remoteSettings(o.remote, at(path, 'remote'), shared);
      const url = checkFetchUrl(issuer, settings.allowHttp);
      if (typeof url === 'string') {
        throw new GuardConfigError(
          `discovery needs an issuer URL that ${url.replace(/^must /, 'can ')}`,
          {
            path: at(path, 'issuer'),
          },
        );
      }
      return new RemoteKeySource(discoverJwksUri(issuer, settings), issuer, settings);
    }
  }
}

function isJwk(value: unknown): value is { readonly alg?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof KeyObject) &&
    !isCryptoKey(value)
  );
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey;
}

function publicKey(value: unknown, where: string): KeyObject {
  let key: KeyObject;
  try {
    if (typeof value === 'string') {
      if (value.includes('PRIVATE KEY')) throw new Error('private');
      key = createPublicKey(value);
    } else if (value instanceof KeyObject) {
      key = value;
    } else if (isCryptoKey(value)) {
      key = KeyObject.from(value);
    } else if (isJwk(value)) {
      const jwk = value as Record<string, unknown>;
      if (jwk['d'] !== undefined || jwk['kty'] === 'oct') throw new Error('private');
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } else {
      throw new Error('type');
    }
  } catch (error) {
    throw new GuardConfigError('must be a public key (PEM, JWK, KeyObject or CryptoKey)', {
      path: where,
      cause: error,
    });
  }
  if (key.type !== 'public') {
    throw new GuardConfigError('must be a public key, not a private or secret one', {
      path: where,
    });
  }
  if (!strongEnough(key)) {
    throw new GuardConfigError('RSA keys must have at least 2048 bits', { path: where });
  }
  return key;
}

const HASH_BYTES = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 } as const;

function secretBytes(
  value: unknown,
  algorithms: readonly JwtAlgorithm[],
  where: string,
): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  if (typeof value === 'string') bytes = new TextEncoder().encode(value);
  else if (value instanceof Uint8Array) bytes = new Uint8Array(value);
  else if (value instanceof KeyObject && value.type === 'secret')
    bytes = new Uint8Array(value.export());
  else
    throw new GuardConfigError('must be a string, Uint8Array or secret KeyObject', { path: where });
  const needed = Math.max(...algorithms.map((alg) => HASH_BYTES[hmacHash(alg)]));
  if (bytes.byteLength < needed) {
    throw new GuardConfigError(`must be at least ${needed} bytes for these algorithms`, {
      path: where,
    });
  }
  return bytes;
}

function remoteSettings(
  remote: RemoteJwksOptions | undefined,
  where: string,
  shared: SharedSettings,
): RemoteSettings {
  const r = remote ?? {};
  const fetchImpl = r.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    throw new GuardConfigError('no fetch available', { path: `${where}.fetch` });
  }
  return {
    timeoutMs: integerOption(r.timeout, 5000, 1, 120_000, `${where}.timeout`),
    maxBytes: integerOption(
      r.maxResponseBytes,
      262_144,
      1024,
      16_777_216,
      `${where}.maxResponseBytes`,
    ),
    maxAgeMs: integerOption(r.cacheMaxAge, 600, 1, 604_800, `${where}.cacheMaxAge`) * 1000,
    cooldownMs: integerOption(r.cooldown, 30, 0, 86_400, `${where}.cooldown`) * 1000,
    staleIfErrorMs:
      integerOption(r.staleIfError, 86_400, 0, 2_592_000, `${where}.staleIfError`) * 1000,
    allowHttp: r.allowInsecureHttp === true,
    fetch: fetchImpl,
    logger: shared.logger,
    now: shared.now,
  };
}
