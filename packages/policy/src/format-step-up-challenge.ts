import type { StepUpChallenge } from '@agentguard/core';

/** Options of {@link formatStepUpChallenge}. */
export interface FormatStepUpChallengeOptions {
  /** `realm` parameter, placed first. Default: none. */
  readonly realm?: string | undefined;
  /** `error_description` text. Default: a generic sentence for the error. */
  readonly description?: string | undefined;
  /** `resource_metadata` URL (RFC 9728, used by MCP clients). Default: none. */
  readonly resourceMetadata?: string | undefined;
}

/** Keeps printable ASCII except `"` and `\` (RFC 6750 §3 forbids them in these values). */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '')}"`;
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
  const params: string[] = [];
  if (options.realm !== undefined) params.push(`realm=${quoted(options.realm)}`);
  const wantsAuthentication =
    (challenge.acrValues !== undefined && challenge.acrValues.length > 0) ||
    challenge.maxAge !== undefined;
  if (wantsAuthentication) {
    params.push('error="insufficient_user_authentication"');
    params.push(
      `error_description=${quoted(
        options.description ?? 'a stronger or more recent authentication is required',
      )}`,
    );
    if (challenge.acrValues && challenge.acrValues.length > 0) {
      params.push(`acr_values=${quoted(challenge.acrValues.join(' '))}`);
    }
    if (challenge.maxAge !== undefined) {
      params.push(`max_age=${Math.max(0, Math.floor(challenge.maxAge))}`);
    }
  } else {
    params.push('error="insufficient_scope"');
    params.push(
      `error_description=${quoted(options.description ?? 'the token lacks a required scope')}`,
    );
  }
  if (challenge.scopes && challenge.scopes.length > 0) {
    params.push(`scope=${quoted(challenge.scopes.join(' '))}`);
  }
  if (options.resourceMetadata !== undefined) {
    params.push(`resource_metadata=${quoted(options.resourceMetadata)}`);
  }
  return `Bearer ${params.join(', ')}`;
}
