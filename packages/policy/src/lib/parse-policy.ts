import { GuardConfigError } from '@agentguard/core';
import type { z } from 'zod';
import { policySchema, type Policy } from '../policy-schema.js';

/** `policies[0].action.type` from a zod issue path. */
export function joinPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '$' : out;
}

/** The first issue of a failed parse, as a path and a message. */
export function firstIssue(error: z.ZodError, base: string): { path: string; message: string } {
  const issue = error.issues[0]!;
  return { path: joinPath(base, issue.path), message: issue.message };
}

/** Validates one policy definition; throws a `GuardConfigError` naming the first bad path. */
export function parsePolicy(value: unknown, path: string): Policy {
  const parsed = policySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { path: at, message } = firstIssue(parsed.error, path);
  throw new GuardConfigError(message, { path: at });
}
