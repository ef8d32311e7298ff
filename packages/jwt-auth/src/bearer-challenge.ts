/** Options of {@link bearerChallenge}. Every field is optional; absent fields are omitted. */
export interface BearerChallengeOptions {
  /** Protection space (`realm`). Omitted when absent. */
  readonly realm?: string | undefined;
  /** RFC 6750 error code: `invalid_request`, `invalid_token` or `insufficient_scope`. Omit for missing credentials. */
  readonly error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined;
  /** Human-readable, safe description (never token content). */
  readonly errorDescription?: string | undefined;
  /** URI of a page describing the error (`error_uri`). */
  readonly errorUri?: string | undefined;
  /** Scopes needed (`scope`), as a list or a space-separated string. */
  readonly scope?: string | readonly string[] | undefined;
  /**
   * URL of the OAuth protected resource metadata (RFC 9728 `resource_metadata`), which the MCP
   * authorization spec uses to point clients at the authorization server.
   */
  readonly resourceMetadata?: string | undefined;
}

// RFC 6750 §3: error, error_description and error_uri use %x20-21 / %x23-5B / %x5D-7E;
// anything else (quotes, backslashes, control and non-ASCII characters) is dropped, so a
// value can never break out of its quoted string or inject another header.
const UNSAFE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
const UNSAFE_SCOPE_TOKEN = /[^\x21\x23-\x5b\x5d-\x7e]/g;

/**
 * Builds an RFC 6750 `WWW-Authenticate` value for the `Bearer` scheme, for adapters that
 * answer 401 (or 403 with `insufficient_scope`). Characters not allowed in a quoted value are
 * removed.
 *
 * @example
 * bearerChallenge({
 *   realm: 'mcp',
 *   error: 'invalid_token',
 *   errorDescription: 'token expired',
 *   resourceMetadata: 'https://mcp.example.com/.well-known/oauth-protected-resource',
 * });
 * // Bearer realm="mcp", error="invalid_token", error_description="token expired",
 * //   resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"
 */
export function bearerChallenge(options: BearerChallengeOptions = {}): string {
  const params: string[] = [];
  if (options.realm !== undefined) params.push(`realm="${clean(options.realm)}"`);
  if (options.scope !== undefined) {
    const list = typeof options.scope === 'string' ? options.scope.split(' ') : options.scope;
    const scope = list
      .map((s) => s.replace(UNSAFE_SCOPE_TOKEN, ''))
      .filter((s) => s.length > 0)
      .join(' ');
    if (scope.length > 0) params.push(`scope="${scope}"`);
  }
  if (options.error !== undefined) params.push(`error="${clean(options.error)}"`);
  if (options.errorDescription !== undefined) {
    params.push(`error_description="${clean(options.errorDescription)}"`);
  }
  if (options.errorUri !== undefined) params.push(`error_uri="${clean(options.errorUri)}"`);
  if (options.resourceMetadata !== undefined) {
    params.push(`resource_metadata="${clean(options.resourceMetadata)}"`);
  }
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

function clean(value: string): string {
  return value.replace(UNSAFE, '');
}
