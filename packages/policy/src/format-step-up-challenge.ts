import {
  bearerChallenge,
  isUserAuthenticationChallenge,
  type StepUpChallenge,
} from '@agentguard/core';

/** Options of {@link formatStepUpChallenge}. */
export interface FormatStepUpChallengeOptions {
  /** `realm` parameter, placed first. Default: none. */
  readonly realm?: string | undefined;
  /** `error_description` text. Default: a generic sentence for the error. */
  readonly description?: string | undefined;
  /** `resource_metadata` URL (RFC 9728, used by MCP clients). Default: none. */
  readonly resourceMetadata?: string | undefined;
}

/**
 * Formats a step-up challenge as a `WWW-Authenticate` header value: RFC 9470
 * (`error="insufficient_user_authentication"`, `acr_values`, `max_age`) when the challenge asks
 * for an authentication level, else RFC 6750 `error="insufficient_scope"` with the scopes (what
 * the MCP authorization spec expects). Values are sanitised to header-safe characters.
 *
 * @example
 * formatStepUpChallenge({ acrValues: ['urn:mace:incommon:iap:silver'], maxAge: 300 });
 * // Bearer error="insufficient_user_authentication", error_description="…",
 * //   acr_values="urn:mace:incommon:iap:silver", max_age=300
 */
export function formatStepUpChallenge(
  challenge: StepUpChallenge,
  options: FormatStepUpChallengeOptions = {},
): string {
  const userAuthentication = isUserAuthenticationChallenge(challenge);
  return bearerChallenge({
    realm: options.realm,
    resourceMetadata: options.resourceMetadata,
    error: userAuthentication ? 'insufficient_user_authentication' : 'insufficient_scope',
    errorDescription:
      options.description ??
      (userAuthentication
        ? 'a stronger or more recent authentication is required'
        : 'the token lacks a required scope'),
    acrValues: challenge.acrValues,
    maxAge: challenge.maxAge,
    scope: challenge.scopes,
  });
}
