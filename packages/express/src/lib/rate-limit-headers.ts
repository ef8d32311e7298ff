import type { RateLimitInfo } from '@agentguard/core';

// draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy: "id";q=limit;w=window` and
// `RateLimit: "id";r=remaining;t=reset`, one structured-field item per policy.

// Rule ids come from the guard's configuration: a handful of strings, quoted once each. The
// bound only matters for a store that makes up rule ids.
const quoted = new Map<string, string>();
const MAX_QUOTED = 1_000;

function name(id: string): string {
  let value = quoted.get(id);
  if (value === undefined) {
    value = `"${id.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
    if (quoted.size >= MAX_QUOTED) quoted.clear();
    quoted.set(id, value);
  }
  return value;
}

// A rule's policy value only changes with its configuration: one string per rule.
const policies = new Map<string, { limit: number; windowSeconds: number; value: string }>();

/** The `RateLimit-Policy` header value of a limit that applied. */
export function rateLimitPolicy(info: RateLimitInfo): string {
  const cached = policies.get(info.rule);
  if (
    cached !== undefined &&
    cached.limit === info.limit &&
    cached.windowSeconds === info.windowSeconds
  ) {
    return cached.value;
  }
  const value = `${name(info.rule)};q=${info.limit};w=${info.windowSeconds}`;
  if (policies.size >= MAX_QUOTED) policies.clear();
  policies.set(info.rule, { limit: info.limit, windowSeconds: info.windowSeconds, value });
  return value;
}

// The `RateLimit` value of a rule: its quoted id and `;r=` (fixed), the remaining calls
// (new on every call), `;t=` and the seconds to the reset (the same for a second or more).
const states = new Map<string, { prefix: string; reset: number; suffix: string }>();

/** The `RateLimit` header value of a limit that applied. */
export function rateLimitState(info: RateLimitInfo): string {
  const reset = Math.max(0, Math.ceil(info.resetSeconds));
  let state = states.get(info.rule);
  if (state === undefined) {
    state = { prefix: `${name(info.rule)};r=`, reset, suffix: `;t=${reset}` };
    if (states.size >= MAX_QUOTED) states.clear();
    states.set(info.rule, state);
  } else if (state.reset !== reset) {
    state.reset = reset;
    state.suffix = `;t=${reset}`;
  }
  return state.prefix + String(Math.max(0, info.remaining)) + state.suffix;
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
