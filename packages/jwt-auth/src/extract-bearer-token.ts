import type { CallContext } from '@agentguard/core';
import { DEFAULT_MAX_TOKEN_BYTES, extractToken } from './lib/extract-token.js';

/** Options of {@link extractBearerToken}. */
export interface ExtractBearerTokenOptions {
  /** Longest token accepted, in bytes; longer ones fail `too_large` before any parsing. Default 8,192. */
  readonly maxTokenBytes?: number | undefined;
}

/** Why {@link extractBearerToken} found no usable token. */
export type BearerExtractionFailure =
  'missing' | 'invalid_request' | 'token_in_query' | 'too_large' | 'malformed';

/** The outcome of {@link extractBearerToken}. */
export type BearerTokenExtraction =
  | {
      readonly ok: true;
      readonly token: string;
      /** Where it came from: the transport (`context.token`) or the `authorization` header. */
      readonly source: 'transport' | 'header';
    }
  | { readonly ok: false; readonly reason: BearerExtractionFailure };

/**
 * Finds the one bearer token of a call: `context.token` (set by a transport such as the MCP
 * SDK's `authInfo`) and/or the `authorization` header (`Bearer`, scheme case-insensitive,
 * exactly one token). A token in the query string (`extra.url` or `extra.query` with
 * `access_token`) is refused, and two different tokens are an `invalid_request`. Another
 * scheme (`Basic …`) counts as `missing`. Never throws; never copies the token elsewhere.
 *
 * @example
 * const found = extractBearerToken({ headers: { authorization: 'Bearer eyJ…' } });
 * if (found.ok) use(found.token);
 * else console.log(found.reason); // 'missing', 'invalid_request', …
 */
export function extractBearerToken(
  context: CallContext,
  options: ExtractBearerTokenOptions = {},
): BearerTokenExtraction {
  return extractToken(context, options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES, true);
}
