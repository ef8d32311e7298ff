import type { GuardError, StepUpChallenge } from '@agentguard/core';

/** How an HTTP response should challenge the client for a rejection. */
export interface HttpChallenge {
  readonly status: number;
  readonly wwwAuthenticate: string;
}

/** Options shared by the challenge builders. */
export interface ChallengeOptions {
  /** `realm` of the Bearer challenge. */
  readonly realm?: string | undefined;
  /** RFC 9728 protected resource metadata URL, advertised as `resource_metadata`. */
  readonly resourceMetadataUrl?: string | undefined;
}

// RFC 6750 §3: auth-param values are quoted strings; a quote or backslash inside must be
// escaped, and control characters have no place in a header.
function quote(value: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${value.replace(/[\u0000-\u001f\u007f]/g, '').replace(/["\\]/g, '\\$&')}"`;
}

function bearer(params: readonly (readonly [string, string])[]): string {
  return params.length === 0
    ? 'Bearer'
    : `Bearer ${params.map(([key, value]) => `${key}=${value}`).join(', ')}`;
}

function common(options: ChallengeOptions): [string, string][] {
  const params: [string, string][] = [];
  if (options.realm !== undefined) params.push(['realm', quote(options.realm)]);
  if (options.resourceMetadataUrl !== undefined) {
    params.push(['resource_metadata', quote(options.resourceMetadataUrl)]);
  }
  return params;
}

/**
 * The `WWW-Authenticate` challenge and status for a rejection, or `undefined` when the
 * rejection has none.
 *
 * - `unauthenticated`: 401 with the authenticator's own `WWW-Authenticate`, else a Bearer
 *   challenge (`error="invalid_token"` when a token was presented, RFC 6750 §3.1).
 * - `step_up_required` with `acrValues` / `maxAge`: 401 `insufficient_user_authentication`
 *   (RFC 9470 §3), with the scopes too when the challenge names some.
 * - `step_up_required` with scopes only: 403 `insufficient_scope` (RFC 6750 §3.1, the MCP
 *   authorization spec's scope step-up).
 *
 * @example
 * const challenge = challengeHeader(new StepUpRequiredError({ acrValues: ['mfa'], maxAge: 300 }));
 * // { status: 401, wwwAuthenticate: 'Bearer error="insufficient_user_authentication", …' }
 */
export function challengeHeader(
  error: GuardError,
  options: ChallengeOptions & { readonly tokenPresented?: boolean | undefined } = {},
): HttpChallenge | undefined {
  if (error.code === 'unauthenticated') {
    const own = (error as { wwwAuthenticate?: unknown }).wwwAuthenticate;
    if (typeof own === 'string' && own.length > 0) {
      return { status: error.status, wwwAuthenticate: own };
    }
    const params = common(options);
    if (options.tokenPresented === true) {
      params.push(['error', '"invalid_token"']);
      params.push(['error_description', quote(error.message)]);
    }
    return { status: error.status, wwwAuthenticate: bearer(params) };
  }
  if (error.code === 'step_up_required') {
    const challenge = (error as { challenge?: StepUpChallenge }).challenge ?? {};
    const params = common(options);
    const scopes = challenge.scopes ?? [];
    const userAuth = (challenge.acrValues?.length ?? 0) > 0 || challenge.maxAge !== undefined;
    params.push([
      'error',
      userAuth ? '"insufficient_user_authentication"' : '"insufficient_scope"',
    ]);
    params.push(['error_description', quote(error.message)]);
    if (challenge.acrValues && challenge.acrValues.length > 0) {
      params.push(['acr_values', quote(challenge.acrValues.join(' '))]);
    }
    if (challenge.maxAge !== undefined && Number.isFinite(challenge.maxAge)) {
      params.push(['max_age', String(Math.max(0, Math.floor(challenge.maxAge)))]);
    }
    if (scopes.length > 0) params.push(['scope', quote(scopes.join(' '))]);
    return { status: userAuth ? 401 : 403, wwwAuthenticate: bearer(params) };
  }
  return undefined;
}
