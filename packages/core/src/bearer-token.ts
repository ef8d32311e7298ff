/** RFC 6750 §2.1 `Bearer <b64token>`, tested without captures. */
const BEARER = /^Bearer +[A-Za-z0-9\-._~+/]+=* *$/i;
/** Matches the empty string. */
const EMPTY = /(?:)/;
/** Longer headers are not read (Node's default limit for all headers together is 16 KB). */
const MAX_HEADER_LENGTH = 16_384;

/**
 * Points V8's legacy RegExp statics (`RegExp.input`, `RegExp.lastMatch`, `RegExp.$1`…) at an
 * empty string. They keep the subject of the last successful match anywhere in the process
 * alive: after a regular expression ran on a token or an `Authorization` header, a heap dump
 * would show the token there until some other regular expression matched. Call it after such
 * a match.
 */
export function forgetLastMatch(): void {
  EMPTY.test('');
}

/**
 * The token of an `Authorization: Bearer <token>` header value (RFC 6750 §2.1: the scheme in
 * any case, spaces, a `b64token`, optional trailing spaces), or undefined when the value is not
 * one (or is over 16,384 characters). A test and two short scans rather than `exec`: no match
 * array per call; the legacy RegExp statics are cleared after the test
 * ({@link forgetLastMatch}), so the header does not stay reachable through them.
 */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > MAX_HEADER_LENGTH) return undefined;
  if (!BEARER.test(header)) return undefined;
  forgetLastMatch();
  // The grammar holds: `Bearer`, spaces, the token, spaces.
  let start = 7;
  while (header.charCodeAt(start) === 0x20) start++;
  let end = header.length;
  while (header.charCodeAt(end - 1) === 0x20) end--;
  return header.slice(start, end);
}
