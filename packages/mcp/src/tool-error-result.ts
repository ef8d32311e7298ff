import type { GuardError } from '@agentguard/core';
import { CODE_META_KEY, DECISION_META_KEY } from './meta-keys.js';
import type { CallToolResultLike } from './lib/sdk.js';

/**
 * Turns a rejection into an MCP tool result the agent can read and act on: `isError: true`,
 * the safe message as text, the safe payload (`code`, `message`, `decisionId`, and
 * `approvalId`, `challenge`, `retryAfter` or `issues` when the rejection has them) as
 * `structuredContent`, and the code and decision id in `_meta`.
 *
 * @example
 * toolErrorResult(new ForbiddenError());
 * // { isError: true, content: [{ type: 'text', text: 'forbidden: not allowed to call this tool' }],
 * //   structuredContent: { code: 'forbidden', message: '…', status: 403 }, _meta: { … } }
 */
export function toolErrorResult(error: GuardError): CallToolResultLike {
  const payload = error.toJSON();
  const meta: Record<string, unknown> = { [CODE_META_KEY]: error.code };
  if (error.decisionId !== undefined) meta[DECISION_META_KEY] = error.decisionId;
  return {
    isError: true,
    content: [{ type: 'text', text: `${error.code}: ${error.message}` }],
    structuredContent: { ...payload },
    _meta: meta,
  };
}
