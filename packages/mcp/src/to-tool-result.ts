import { DECISION_META_KEY } from './meta-keys.js';
import type { CallToolResultLike } from './lib/sdk.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** True when `value` already is an MCP `CallToolResult` (it has a `content` array). */
export function isCallToolResult(value: unknown): value is CallToolResultLike {
  return isPlainObject(value) && Array.isArray(value['content']);
}

/**
 * Turns what a guarded handler returned into an MCP tool result. A `CallToolResult` passes
 * through (with the decision id added to `_meta`); a plain object becomes JSON text plus
 * `structuredContent`; a string becomes text; anything else becomes JSON text.
 *
 * @example
 * toToolResult({ id: 'c-1', name: 'Ada' }, 'dec_…');
 * // { content: [{ type: 'text', text: '{"id":"c-1","name":"Ada"}' }],
 * //   structuredContent: { id: 'c-1', name: 'Ada' }, _meta: { 'agentguard/decisionId': 'dec_…' } }
 */
export function toToolResult(value: unknown, decisionId?: string): CallToolResultLike {
  const meta = decisionId === undefined ? undefined : { [DECISION_META_KEY]: decisionId };
  if (isCallToolResult(value)) {
    if (meta === undefined) return value;
    const own = isPlainObject(value._meta) ? value._meta : {};
    return { ...value, _meta: { ...own, ...meta } };
  }
  let result: CallToolResultLike;
  if (typeof value === 'string') {
    result = { content: [{ type: 'text', text: value }] };
  } else if (isPlainObject(value)) {
    result = { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
  } else {
    result = { content: [{ type: 'text', text: JSON.stringify(value ?? null) }] };
  }
  if (meta !== undefined) result._meta = meta;
  return result;
}
