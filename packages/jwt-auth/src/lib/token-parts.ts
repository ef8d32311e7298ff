const B64URL = /^[A-Za-z0-9_-]+$/;
const B64URL_OR_EMPTY = /^[A-Za-z0-9_-]*$/;

/** The decoded, not yet verified parts of a compact JWS. */
export interface TokenParts {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
}

/**
 * Splits and decodes a compact JWS, strictly: three segments of base64url without padding, a
 * header and a payload that are JSON objects. Anything else (JWE with five segments, two or
 * four segments, stray characters) is `undefined`. The segments decoded here are the very
 * bytes the signature covers, so after verification the payload needs no second parse.
 */
export function splitToken(token: string): TokenParts | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second === -1 || token.indexOf('.', second + 1) !== -1) return undefined;
  const h = token.slice(0, first);
  const p = token.slice(first + 1, second);
  const s = token.slice(second + 1);
  if (!B64URL.test(h) || !B64URL.test(p) || !B64URL_OR_EMPTY.test(s)) return undefined;
  const header = decodeObject(h);
  if (header === undefined) return undefined;
  const payload = decodeObject(p);
  if (payload === undefined) return undefined;
  return { header, payload };
}

function decodeObject(segment: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
