import type { GuardError, StepUpChallenge } from './errors.js';

/** The parameters of a `Bearer` challenge (RFC 6750 §3, RFC 9470 §3, RFC 9728 §5.1). */
export interface BearerChallengeParams {
  /** Protection space. */
  readonly realm?: string | undefined;
  /** RFC 9728 protected resource metadata URL (`resource_metadata`), for MCP clients. */
  readonly resourceMetadata?: string | undefined;
  /**
   * `invalid_request`, `invalid_token`, `insufficient_scope` (RFC 6750) or
   * `insufficient_user_authentication` (RFC 9470). Omit for a request without credentials.
   */
  readonly error?:
    | 'invalid_request'
    | 'invalid_token'
    | 'insufficient_scope'
    | 'insufficient_user_authentication'
    | undefined;
  /** Safe, human-readable description: never token content. */
  readonly errorDescription?: string | undefined;
  /** URI of a page describing the error. */
  readonly errorUri?: string | undefined;
  /** Acceptable `acr` values, most preferred first (RFC 9470). */
  readonly acrValues?: readonly string[] | undefined;
  /** Maximum seconds since the last authentication (RFC 9470). */
  readonly maxAge?: number | undefined;
  /** Scopes needed, as a list or a space-separated string. */
  readonly scope?: string | readonly string[] | undefined;
}

// Quoted-string content allowed by RFC 6750 §3: printable ASCII without `"` and `\`. Anything
// else is dropped, so no value can end the string or the header.
const UNSAFE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
// scope-token (RFC 6749 §3.3): no space either.
const UNSAFE_SCOPE = /[^\x21\x23-\x5b\x5d-\x7e]/g;

function quote(value: string): string {
  return `"${value.replace(UNSAFE, '')}"`;
}

function tokens(values: readonly string[], unsafe: RegExp): string {
  return values
    .map((v) => v.replace(unsafe, ''))
    .filter((v) => v.length > 0)
    .join(' ');
}

/**
 * Formats a `WWW-Authenticate` value for the `Bearer` scheme. Absent parameters are omitted;
 * values are sanitised so none can break out of its quoted string.
 *
 * @example
 * bearerChallenge({ realm: 'mcp', error: 'insufficient_user_authentication', acrValues: ['mfa'], maxAge: 300 });
 * // 'Bearer realm="mcp", error="insufficient_user_authentication", acr_values="mfa", max_age=300'
 */
export function bearerChallenge(params: BearerChallengeParams = {}): string {
  const out: string[] = [];
  if (params.realm !== undefined) out.push(`realm=${quote(params.realm)}`);
  if (params.resourceMetadata !== undefined) {
    out.push(`resource_metadata=${quote(params.resourceMetadata)}`);
  }
  if (params.error !== undefined) out.push(`error=${quote(params.error)}`);
  if (params.errorDescription !== undefined) {
    out.push(`error_description=${quote(params.errorDescription)}`);
  }
  if (params.errorUri !== undefined) out.push(`error_uri=${quote(params.errorUri)}`);
  if (params.acrValues !== undefined) {
    const acr = tokens(params.acrValues, UNSAFE_SCOPE);
    if (acr.length > 0) out.push(`acr_values="${acr}"`);
  }
  if (params.maxAge !== undefined && Number.isFinite(params.maxAge)) {
    out.push(`max_age=${Math.max(0, Math.floor(params.maxAge))}`);
  }
  if (params.scope !== undefined) {
    const list = typeof params.scope === 'string' ? params.scope.split(' ') : params.scope;
    const scope = tokens(list, UNSAFE_SCOPE);
    if (scope.length > 0) out.push(`scope="${scope}"`);
  }
  return out.length === 0 ? 'Bearer' : `Bearer ${out.join(', ')}`;
}

/** True when a step-up challenge asks for a stronger or fresher authentication (RFC 9470). */
export function isUserAuthenticationChallenge(challenge: StepUpChallenge): boolean {
  return (challenge.acrValues?.length ?? 0) > 0 || challenge.maxAge !== undefined;
}

/** How an HTTP response challenges the client for a rejection. */
export interface HttpChallenge {
  readonly status: number;
  readonly wwwAuthenticate: string;
}

/** Options of {@link challengeFor}. */
export interface ChallengeOptions {
  readonly realm?: string | undefined;
  /** RFC 9728 metadata URL, advertised as `resource_metadata` (the MCP authorization spec). */
  readonly resourceMetadataUrl?: string | undefined;
  /** Whether the request carried a token (`invalid_token` versus no error attribute). */
  readonly tokenPresented?: boolean | undefined;
}

/**
 * The status and `WWW-Authenticate` value an HTTP adapter answers a rejection with, or
 * `undefined` for rejections that carry no challenge.
 *
 * - `unauthenticated`: the authenticator's own challenge when it set one, else a `Bearer`
 *   challenge (`error="invalid_token"` when a token was presented, RFC 6750 §3.1).
 * - `step_up_required` naming `acrValues` / `maxAge`: 401 `insufficient_user_authentication`
 *   (RFC 9470), with the scopes too when it names some.
 * - `step_up_required` naming scopes only: 403 `insufficient_scope` (RFC 6750 §3.1).
 *
 * @example
 * const c = challengeFor(error, { realm: 'mcp', resourceMetadataUrl });
 * if (c) res.writeHead(c.status, { 'www-authenticate': c.wwwAuthenticate });
 */
export function challengeFor(
  error: GuardError,
  options: ChallengeOptions = {},
): HttpChallenge | undefined {
  const base = { realm: options.realm, resourceMetadata: options.resourceMetadataUrl };
  if (error.code === 'unauthenticated') {
    const own = (error as { wwwAuthenticate?: unknown }).wwwAuthenticate;
    if (typeof own === 'string' && own.length > 0)
      return { status: error.status, wwwAuthenticate: own };
    return {
      status: error.status,
      wwwAuthenticate: bearerChallenge(
        options.tokenPresented === true
          ? { ...base, error: 'invalid_token', errorDescription: error.message }
          : base,
      ),
    };
  }
  if (error.code === 'step_up_required') {
    const challenge = (error as { challenge?: StepUpChallenge }).challenge ?? {};
    const userAuth = isUserAuthenticationChallenge(challenge);
    return {
      status: userAuth ? 401 : 403,
      wwwAuthenticate: bearerChallenge({
        ...base,
        error: userAuth ? 'insufficient_user_authentication' : 'insufficient_scope',
        errorDescription: error.message,
        acrValues: challenge.acrValues,
        maxAge: challenge.maxAge,
        scope: challenge.scopes,
      }),
    };
  }
  return undefined;
}
