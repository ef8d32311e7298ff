import { testQuietly, type CallContext } from '@agentguard/core';
import type { BearerExtractionFailure, BearerTokenExtraction } from '../extract-bearer-token.js';

/** RFC 6750 §2.1 `b64token`. */
export const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 6750 §2.3 query parameter, as an adapter may pass the request URL in `extra.url`. */
const QUERY_TOKEN = /[?&]access_token=/i;
export const DEFAULT_MAX_TOKEN_BYTES = 8192;

/**
 * The extraction itself. With `strict` false the token's characters are not checked: the
 * authenticator does that only on a cache miss (a hit is a string that passed it before).
 * `shortcut` false skips the shortcut for a transport token equal to the header's (tests
 * compare both ways).
 */
export function extractToken(
  context: CallContext,
  max: number,
  strict: boolean,
  shortcut = true,
): BearerTokenExtraction {
  const extra = context.extra;
  if (extra !== undefined && tokenInQuery(extra)) return failure('token_in_query');

  const transport: unknown = context.token;
  if (transport !== undefined) {
    if (typeof transport !== 'string' || transport.length === 0) return failure('malformed');
    if (transport.length > max) return failure('too_large');
    if (strict && !testQuietly(B64TOKEN, transport)) return failure('malformed');
  }

  let header: unknown = context.headers?.['authorization'];
  if (Array.isArray(header)) {
    if (header.length > 1) return failure('invalid_request');
    header = header[0];
  }
  if (header === undefined) {
    return transport === undefined
      ? failure('missing')
      : { ok: true, token: transport, source: 'transport' };
  }
  if (typeof header !== 'string') return failure('invalid_request');
  // An adapter that read the token from this very header passes both. When the header is
  // `Bearer <token>` exactly and the token starts and ends with a printable non-space
  // character, the steps below (trim, split at the first space, compare) give that token:
  // checked here without the copies they make.
  if (
    shortcut &&
    !strict &&
    typeof transport === 'string' &&
    header.length === transport.length + 7 &&
    isPrintable(transport.charCodeAt(0)) &&
    isPrintable(transport.charCodeAt(transport.length - 1)) &&
    header.startsWith('Bearer ') &&
    // Not `endsWith`: V8's compares a character at a time, `===` a block of memory.
    header.slice(7) === transport
  ) {
    return { ok: true, token: transport, source: 'header' };
  }
  // Refuse oversized input before any scan of it.
  if (header.length > max + 64) return failure('too_large');
  const value = header.trim();
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  // The usual spelling first: no lower-cased copy of the scheme on every call.
  if (scheme !== 'Bearer' && scheme.toLowerCase() !== 'bearer') {
    return transport === undefined
      ? failure('missing')
      : { ok: true, token: transport, source: 'transport' };
  }
  const token = space === -1 ? '' : value.slice(space + 1).trimStart();
  if (token.length === 0 || (strict && !testQuietly(B64TOKEN, token))) {
    return failure('invalid_request');
  }
  if (token.length > max) return failure('too_large');
  if (transport !== undefined && transport !== token) return failure('invalid_request');
  return { ok: true, token, source: 'header' };
}

/** A printable ASCII character other than space: never trimmed as white space. */
function isPrintable(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

function tokenInQuery(extra: Readonly<Record<string, unknown>>): boolean {
  const url = extra['url'];
  // Without an `=` the pattern cannot match: most URLs skip it.
  if (typeof url === 'string' && url.includes('=') && testQuietly(QUERY_TOKEN, url)) return true;
  const query = extra['query'];
  return typeof query === 'object' && query !== null && Object.hasOwn(query, 'access_token');
}

const FAILURES = new Map<BearerExtractionFailure, BearerTokenExtraction>();
function failure(reason: BearerExtractionFailure): BearerTokenExtraction {
  let result = FAILURES.get(reason);
  if (result === undefined) {
    result = Object.freeze({ ok: false, reason });
    FAILURES.set(reason, result);
  }
  return result;
}
