import type { RateLimitInfo } from '@agentguard/core';

// draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy: "id";q=limit;w=window` and
// `RateLimit: "id";r=remaining;t=reset`, one structured-field item per policy.
function name(id: string): string {
  return `"${id.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}

/** The IETF `RateLimit-Policy` and `RateLimit` header values of a limit that applied. */
export function rateLimitHeaders(info: RateLimitInfo): Record<string, string> {
  return {
    'RateLimit-Policy': `${name(info.rule)};q=${info.limit};w=${info.windowSeconds}`,
    RateLimit: `${name(info.rule)};r=${Math.max(0, info.remaining)};t=${Math.max(0, Math.ceil(info.resetSeconds))}`,
  };
}

/** The same headers for a limit that was exhausted. */
export function exhaustedHeaders(
  rule: string | undefined,
  limit: number,
  windowSeconds: number,
  retryAfter: number,
): Record<string, string> {
  const seconds = Math.max(1, Math.ceil(retryAfter));
  // The rule id names the policy, as on allowed calls (the error's reason is the rule id).
  const id = name(rule ?? 'limit');
  return {
    'Retry-After': String(seconds),
    'RateLimit-Policy': `${id};q=${limit};w=${windowSeconds}`,
    RateLimit: `${id};r=0;t=${seconds}`,
  };
}
