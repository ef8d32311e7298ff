import { GuardConfigError } from '@agentguard/core';

/** Longest role, permission, tag or tool pattern accepted in a rule. */
export const MAX_NAME_LENGTH = 256;

/** True for `{}`-style objects (not arrays, not class instances, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Throws unless `value` is a non-empty string of at most `max` characters. */
export function checkName(
  value: unknown,
  path: string,
  what: string,
  max: number,
): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new GuardConfigError(`${what} must be a string of 1-${max} characters`, { path });
  }
}

/** Checks a non-empty list of names and returns a frozen copy without duplicates. */
export function checkNameList(
  value: unknown,
  path: string,
  what: string,
  max = MAX_NAME_LENGTH,
): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new GuardConfigError(`must be a non-empty list of ${what}s`, { path });
  }
  const out = new Set<string>();
  value.forEach((item: unknown, i) => {
    checkName(item, `${path}[${i}]`, what, max);
    out.add(item);
  });
  return Object.freeze([...out]);
}

/** Throws when `value` is not a positive integer. */
export function checkPositiveInteger(value: unknown, path: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new GuardConfigError('must be a positive integer', { path });
  }
}

const NONE: readonly string[] = Object.freeze([]);

/** `value` when it is an array, else an empty list (JavaScript callers are not typed). */
export function listOrEmpty(value: readonly string[] | undefined): readonly string[] {
  return Array.isArray(value) ? (value as readonly string[]) : NONE;
}
