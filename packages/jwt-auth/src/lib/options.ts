import { GuardConfigError } from '@agentguard/core';

/** `at+jwt`, `AT+JWT` and `application/at+jwt` are one type (RFC 7515 §4.1.9). */
export function normalizeTyp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** An optional integer option within bounds, or a `GuardConfigError` naming its path. */
export function integerOption(
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  path: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new GuardConfigError(`must be an integer from ${min} to ${max}`, { path });
  }
  return value;
}

/** A non-empty string option, or a `GuardConfigError`. */
export function stringOption(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new GuardConfigError('must be a non-empty string', { path });
  }
  return value;
}
