import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  createHmac,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  KeyObject,
} from 'node:crypto';
import { SignatureConfigError } from './signature-config-error.js';

/** RFC 9421 algorithms supported: `hmac-sha256` (default) and `ed25519`. */
export type SignatureAlgorithm = 'hmac-sha256' | 'ed25519';

/** A shared HMAC-SHA256 secret, used both to sign and to verify. */
export interface HmacKeyInput {
  /** The `keyid` sent in `Signature-Input`; printable ASCII, at most 128 characters. */
  readonly id: string;
  readonly alg: 'hmac-sha256';
  /** At least 32 random bytes (a `KeyObject` of type `secret` is accepted too). */
  readonly secret: Uint8Array | KeyObject;
}

/** An Ed25519 private key, to sign. */
export interface Ed25519SigningKeyInput {
  readonly id: string;
  readonly alg: 'ed25519';
  /** A `KeyObject` or a PKCS#8 PEM string. */
  readonly privateKey: KeyObject | string;
}

/** An Ed25519 public key, to verify. */
export interface Ed25519VerifyingKeyInput {
  readonly id: string;
  readonly alg: 'ed25519';
  /** A `KeyObject` or an SPKI PEM string (a private key is accepted and its public half used). */
  readonly publicKey: KeyObject | string;
}

/** A key a signer can sign with. */
export type SigningKeyInput = HmacKeyInput | Ed25519SigningKeyInput;
/** A key a verifier accepts. */
export type VerifyingKeyInput = HmacKeyInput | Ed25519VerifyingKeyInput;

/** A key ready to sign: validated and imported once. */
export interface SigningKey {
  readonly id: string;
  readonly alg: SignatureAlgorithm;
  sign(data: string): Buffer;
}

/** A key ready to verify: validated and imported once. */
export interface VerifyingKey {
  readonly id: string;
  readonly alg: SignatureAlgorithm;
  /** Constant-time for HMAC. */
  verify(data: string, signature: Uint8Array): boolean;
}

const KEY_ID = /^[\x20-\x7e]{1,128}$/;
const MIN_SECRET_BYTES = 32;

/**
 * Validates and imports a signing key. Throws {@link SignatureConfigError} with `path`.
 *
 * @example
 * const key = importSigningKey({ id: 'k1', alg: 'hmac-sha256', secret: randomBytes(32) });
 */
export function importSigningKey(input: SigningKeyInput, path = 'key'): SigningKey {
  checkId(input, path);
  if (input.alg === 'hmac-sha256') {
    const secret = importSecret(input.secret, path).export();
    return {
      id: input.id,
      alg: input.alg,
      sign: (data) => createHmac('sha256', secret).update(data, 'latin1').digest(),
    };
  }
  if ((input.alg as string) === 'ed25519') {
    let key: KeyObject;
    try {
      key =
        input.privateKey instanceof KeyObject
          ? input.privateKey
          : createPrivateKey(input.privateKey);
    } catch (cause) {
      throw new SignatureConfigError('not a private key', { path: `${path}.privateKey`, cause });
    }
    if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
      throw new SignatureConfigError('must be an ed25519 private key', {
        path: `${path}.privateKey`,
      });
    }
    return {
      id: input.id,
      alg: 'ed25519',
      sign: (data) => cryptoSign(null, Buffer.from(data, 'latin1'), key),
    };
  }
  throw new SignatureConfigError('unsupported algorithm', { path: `${path}.alg` });
}

/**
 * Validates and imports a verifying key. Throws {@link SignatureConfigError} with `path`.
 *
 * @example
 * const key = importVerifyingKey({ id: 'k1', alg: 'hmac-sha256', secret });
 */
export function importVerifyingKey(input: VerifyingKeyInput, path = 'key'): VerifyingKey {
  checkId(input, path);
  if (input.alg === 'hmac-sha256') {
    // Node's createHmac is measurably faster with the raw bytes than with a KeyObject; the copy
    // stays in this closure.
    const secret = importSecret(input.secret, path).export();
    return {
      id: input.id,
      alg: input.alg,
      verify(data, signature) {
        const expected = createHmac('sha256', secret).update(data, 'latin1').digest();
        return signature.length === expected.length && timingSafeEqual(signature, expected);
      },
    };
  }
  if ((input.alg as string) === 'ed25519') {
    let key: KeyObject;
    try {
      const source = input.publicKey;
      key =
        source instanceof KeyObject
          ? source.type === 'private'
            ? createPublicKey(source)
            : source
          : createPublicKey(source);
    } catch (cause) {
      throw new SignatureConfigError('not a public key', { path: `${path}.publicKey`, cause });
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new SignatureConfigError('must be an ed25519 key', { path: `${path}.publicKey` });
    }
    return {
      id: input.id,
      alg: 'ed25519',
      verify: (data, signature) =>
        signature.length === 64 && cryptoVerify(null, Buffer.from(data, 'latin1'), key, signature),
    };
  }
  throw new SignatureConfigError('unsupported algorithm', { path: `${path}.alg` });
}

function checkId(input: { readonly id: unknown }, path: string): void {
  if (typeof input.id !== 'string' || !KEY_ID.test(input.id)) {
    throw new SignatureConfigError('must be 1-128 printable ASCII characters', {
      path: `${path}.id`,
    });
  }
}

function importSecret(secret: Uint8Array | KeyObject, path: string): KeyObject {
  let key: KeyObject;
  if (secret instanceof KeyObject) {
    key = secret;
  } else if (secret instanceof Uint8Array) {
    key = createSecretKey(secret);
  } else {
    throw new SignatureConfigError('must be a Uint8Array or a secret KeyObject', {
      path: `${path}.secret`,
    });
  }
  if (key.type !== 'secret' || (key.symmetricKeySize ?? 0) < MIN_SECRET_BYTES) {
    throw new SignatureConfigError(`must be a secret of at least ${MIN_SECRET_BYTES} bytes`, {
      path: `${path}.secret`,
    });
  }
  return key;
}
