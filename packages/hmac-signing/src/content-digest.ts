import { createHash } from 'node:crypto';
import { parseDictionary } from './structured-field/parse-structured-field.js';
import { StructuredFieldError } from './structured-field/structured-field-error.js';
import { isInnerList } from './structured-field/types.js';

const EMPTY = new Uint8Array(0);

/**
 * The RFC 9530 `Content-Digest` value for `body`: `sha-256=:<base64>:`. An absent body is the
 * digest of zero bytes, so an empty body is covered too.
 *
 * @example
 * createContentDigest(new TextEncoder().encode('{"hello": "world"}'));
 * // 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
 */
export function createContentDigest(body: Uint8Array | null | undefined): string {
  return `sha-256=:${createHash('sha256')
    .update(body ?? EMPTY)
    .digest('base64')}:`;
}

/** Why a `Content-Digest` did not match. */
export type ContentDigestFailure = 'malformed' | 'unsupported_algorithm' | 'mismatch';

const HASHES: Readonly<Record<string, string>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

/**
 * Checks a `Content-Digest` header value against the bytes received. Every digest listed
 * with a supported algorithm (`sha-256`, `sha-512`) must match; digests with other
 * algorithms are ignored; at least one must be supported.
 *
 * @returns `true`, or why not.
 * @example
 * checkContentDigest(request.headers.get('content-digest')!, body) === true;
 */
export function checkContentDigest(
  header: string,
  body: Uint8Array | null | undefined,
): true | ContentDigestFailure {
  // Fast path for the form this package sends.
  if (
    header.length === 54 &&
    header.startsWith('sha-256=:') &&
    header.charCodeAt(53) === 0x3a &&
    header.charCodeAt(52) === 0x3d
  ) {
    // A digest of public bytes is not a secret: a plain comparison of the base64 text is fine.
    const actual = createHash('sha256')
      .update(body ?? EMPTY)
      .digest('base64');
    const given = header.slice(9, 53);
    if (actual === given) return true;
    return /^[A-Za-z0-9+/]{43}=$/.test(given) ? 'mismatch' : 'malformed';
  }
  let dict;
  try {
    dict = parseDictionary(header, { maxLength: 4096, maxMembers: 8 });
  } catch (error) {
    if (error instanceof StructuredFieldError) return 'malformed';
    throw error;
  }
  let checked = 0;
  for (const [alg, member] of dict) {
    const hash = HASHES[alg];
    if (hash === undefined) continue;
    if (isInnerList(member) || !(member.value instanceof Uint8Array)) return 'malformed';
    const actual = createHash(hash)
      .update(body ?? EMPTY)
      .digest();
    if (actual.length !== member.value.length || !actual.equals(member.value)) {
      return 'mismatch';
    }
    checked++;
  }
  return checked > 0 ? true : 'unsupported_algorithm';
}
