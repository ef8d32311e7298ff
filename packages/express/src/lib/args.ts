import type { InputIssue } from '@agentguard/core';

/** The arguments of a request, or the keys given twice. */
export type MergedArgs =
  | { readonly ok: true; readonly args: Record<string, unknown> }
  | { readonly ok: false; readonly issues: InputIssue[] };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges route params, query and JSON body into one arguments object. A key given in more
 * than one source is refused (never silently overwritten): a query string must not be able
 * to shadow a path parameter or a body field. The body must be a JSON object when present.
 */
export function mergeArgs(params: unknown, query: unknown, body: unknown): MergedArgs {
  const args: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const issues: InputIssue[] = [];
  const sources: [string, unknown][] = [
    ['params', params],
    ['query', query],
    ['body', body],
  ];
  for (const [source, value] of sources) {
    if (value === undefined || value === null) continue;
    if (!isRecord(value)) {
      issues.push({ path: '$', message: `${source} must be an object` });
      continue;
    }
    for (const [key, field] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        issues.push({ path: `$.${key}`, message: 'reserved key' });
      } else if (Object.hasOwn(args, key)) {
        issues.push({ path: `$.${key}`, message: 'given in more than one of params, query, body' });
      } else {
        args[key] = field;
      }
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, args: { ...args } };
}
