const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The token of an `Authorization: Bearer …` header value (RFC 6750 §2.1), else undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > 16_384) return undefined;
  return BEARER.exec(header)?.[1];
}
