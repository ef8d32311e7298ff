import type { KeyObject } from 'node:crypto';
import { JWT_ALGORITHMS, type JwtAlgorithm } from '../algorithms.js';

const SUPPORTED: ReadonlySet<string> = new Set(JWT_ALGORITHMS);

export function isSupportedAlgorithm(value: unknown): value is JwtAlgorithm {
  return typeof value === 'string' && SUPPORTED.has(value);
}

export function isHmac(alg: JwtAlgorithm): boolean {
  return alg.startsWith('HS');
}

/** Hash name of an HMAC algorithm, for WebCrypto. */
export function hmacHash(alg: JwtAlgorithm): 'SHA-256' | 'SHA-384' | 'SHA-512' {
  return alg === 'HS384' ? 'SHA-384' : alg === 'HS512' ? 'SHA-512' : 'SHA-256';
}

const CURVE_ALG: Readonly<Record<string, JwtAlgorithm>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

/**
 * Whether an asymmetric public key can verify `alg`: the key type decides (an RSA key never
 * verifies ES256, a P-256 key never verifies ES384), so a `kid` that points at a key of
 * another algorithm finds no key.
 */
export function keyFitsAlgorithm(key: KeyObject, alg: JwtAlgorithm): boolean {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return alg.startsWith('RS') || alg.startsWith('PS');
    case 'rsa-pss':
      return alg.startsWith('PS');
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve !== undefined && CURVE_ALG[curve] === alg;
    }
    case 'ed25519':
      return alg === 'EdDSA' || alg === 'Ed25519';
    default:
      return false;
  }
}
