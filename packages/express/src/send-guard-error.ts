import type { GuardError } from '@agentguard/core';
import type { Response } from 'express';
import { challengeFor, type ChallengeOptions } from '@agentguard/core';
import { exhaustedHeaders } from './lib/rate-limit-headers.js';

/** Options of {@link sendGuardError}. */
export interface SendGuardErrorOptions extends ChallengeOptions {
  /** Whether the request presented a credential (adds `error="invalid_token"`). Default false. */
  readonly tokenPresented?: boolean | undefined;
  /**
   * URL where the client can follow an approval, sent as `Location` with `202`. Default: none
   * (the approval id is in the body).
   */
  readonly approvalLocation?: ((approvalId: string) => string) | undefined;
}

/**
 * Answers a rejection the way HTTP clients expect: the status of the error table (or of the
 * RFC challenge), the safe JSON payload, and `WWW-Authenticate` (401 and step-up),
 * `Retry-After` and `RateLimit-Policy` / `RateLimit` (429), `Location` (202, when configured).
 *
 * @example
 * const result = await tool.execute(args, context);
 * if (!result.ok) return sendGuardError(res, result.error);
 */
export function sendGuardError(
  res: Response,
  error: GuardError,
  options: SendGuardErrorOptions = {},
): void {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  let status = error.status;
  const challenge = challengeFor(error, options);
  if (challenge) {
    status = challenge.status;
    headers['WWW-Authenticate'] = challenge.wwwAuthenticate;
  }
  const details = error as Partial<{
    retryAfter: number;
    limit: number;
    windowSeconds: number;
    approvalId: string;
  }>;
  if (
    error.code === 'rate_limited' &&
    typeof details.retryAfter === 'number' &&
    typeof details.limit === 'number' &&
    typeof details.windowSeconds === 'number'
  ) {
    Object.assign(
      headers,
      exhaustedHeaders(error.reason, details.limit, details.windowSeconds, details.retryAfter),
    );
  }
  if (
    error.code === 'approval_required' &&
    typeof details.approvalId === 'string' &&
    options.approvalLocation
  ) {
    headers['Location'] = options.approvalLocation(details.approvalId);
  }
  res.status(status).set(headers).json(error.toJSON());
}
