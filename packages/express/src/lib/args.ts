import type { InputIssue } from '@agentguard/core';

/** The arguments of a request, or the keys given twice. */
export type MergedArgs =
  | { readonly ok: true; readonly args: Record<string, unknown> }
  | { readonly ok: false; readonly issues: InputIssue[] };

/**
 * Copies the own keys of one source into `args`. Returns the issues so far (allocated on the
 * first one only): a source that is not an object, a reserved key, a key given twice. The
 * `first` source fills an empty object: none of its keys can collide.
 */
function addSource(
  args: Record<string, unknown>,
  source: string,
  value: unknown,
  issues: InputIssue[] | undefined,
  first: boolean,
): InputIssue[] | undefined {
  if (value === undefined || value === null) return issues;
  if (typeof value !== 'object' || Array.isArray(value)) {
    (issues ??= []).push({ path: '$', message: `${source} must be an object` });
    return issues;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    // Checked before any assignment: `args` is a plain object, and `__proto__` must never be
    // assigned to it (JSON.parse and querystring make it an own key).
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      (issues ??= []).push({ path: `$.${key}`, message: 'reserved key' });
    } else if (!first && Object.hasOwn(args, key)) {
      (issues ??= []).push({
        path: `$.${key}`,
        message: 'given in more than one of params, query, body',
      });
    } else {
      args[key] = record[key];
    }
  }
  return issues;
}

/**
 * Merges route params, query and JSON body into one arguments object. A key given in more
 * than one source is refused (never silently overwritten): a query string must not be able
 * to shadow a path parameter or a body field. The body must be a JSON object when present.
 */
export function mergeArgs(params: unknown, query: unknown, body: unknown): MergedArgs {
  const args: Record<string, unknown> = {};
  let issues = addSource(args, 'params', params, undefined, true);
  issues = addSource(args, 'query', query, issues, false);
  issues = addSource(args, 'body', body, issues, false);
  return issues === undefined ? { ok: true, args } : { ok: false, issues };
}
