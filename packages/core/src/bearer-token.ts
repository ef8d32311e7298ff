import { testQuietly } from './regexp-statics.js';

/** RFC 6750 §2.1 `Bearer <b64token>`, tested without captures. */
const BEARER = /^Bearer +[A-Za-z0-9\-._~+/]+=* *$/i;
/** Longer headers are not read (Node's default limit for all headers together is 16 KB). */
const MAX_HEADER_LENGTH = 16_384;

/**
 * The token of an `Authorization: Bearer <token>` header value (RFC 6750 §2.1: the scheme in
 * any case, spaces, a `b64token`, optional trailing spaces), or undefined when the value is not
 * one (or is over 16,384 characters). A test and two short scans rather than `exec`: no match
 * array per call; the test leaves no trace of the header in the legacy RegExp statics
 * ({@link testQuietly}).
 */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > MAX_HEADER_LENGTH) return undefined;
  if (!testQuietly(BEARER, header)) return undefined;
  // The grammar holds: `Bearer`, spaces, the token, spaces.
  let start = 7;
  while (header.charCodeAt(start) === 0x20) start++;
  let end = header.length;
  while (header.charCodeAt(end - 1) === 0x20) end--;
  return header.slice(start, end);
}
