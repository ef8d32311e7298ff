import type { z } from 'zod';
import { InvalidInputError, type InputIssue } from '../errors.js';
import { fail, ok, type StageResult } from '../result.js';
import {
  checkInputLimits,
  isFlatWithinLimits,
  issuePath,
  type InputLimits,
} from './input-limits.js';

const MAX_REPORTED_ISSUES = 20;

/** A compiled validator for one tool: limits first, then the (strict) schema. */
export type InputValidator<T> = (args: unknown) => StageResult<T>;

/** Builds the validation stage of one tool. */
export function createInputValidator<S extends z.ZodType>(
  schema: S,
  limits: InputLimits,
): InputValidator<z.output<S>> {
  return function validateInput(args) {
    if (!isFlatWithinLimits(args, limits)) {
      const limitIssues = checkInputLimits(args, limits);
      if (limitIssues.length > 0) {
        return fail(new InvalidInputError(limitIssues, { reason: 'limits' }));
      }
    }
    const parsed = schema.safeParse(args);
    if (parsed.success) return ok(parsed.data);
    const issues: InputIssue[] = [];
    for (const issue of parsed.error.issues.slice(0, MAX_REPORTED_ISSUES)) {
      issues.push({ path: issuePath(issue.path), message: safeMessage(issue) });
    }
    return fail(new InvalidInputError(issues, { reason: 'schema' }));
  };
}

/**
 * Zod messages can quote received values (enums, literals, custom refinements); we rebuild a
 * message from the issue code so nothing of the input is echoed back.
 */
function safeMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length === 1 ? '' : 's'}: ${issue.keys
        .slice(0, 10)
        .map((k) => (k.length > 64 ? `${k.slice(0, 61)}...` : k))
        .join(', ')}`;
    case 'too_small':
      return `too small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `too big (maximum ${String(issue.maximum)})`;
    case 'invalid_format':
      return `invalid ${issue.format}`;
    case 'not_multiple_of':
      return `not a multiple of ${String(issue.divisor)}`;
    case 'invalid_value':
      return 'value not allowed';
    case 'invalid_union':
      return 'matches none of the allowed shapes';
    case 'invalid_key':
      return 'invalid key';
    case 'invalid_element':
      return 'invalid element';
    case 'custom':
      // Written by the developer, not derived from the input; cut to keep responses small.
      return issue.message.length > 120 ? `${issue.message.slice(0, 117)}...` : issue.message;
    default:
      return 'invalid';
  }
}
