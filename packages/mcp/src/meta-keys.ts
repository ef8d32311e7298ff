/**
 * The `_meta` key an agent sets on `tools/call` to present an approval id when it re-invokes a
 * tool after a human approved the call. `_meta.approvalId` is accepted as well.
 *
 * @example
 * await client.callTool({
 *   name: 'payments.refund',
 *   arguments: { orderId: 'o-1', amount: 120 },
 *   _meta: { [APPROVAL_META_KEY]: approvalId },
 * });
 */
export const APPROVAL_META_KEY = 'agentguard/approvalId';

/** The `_meta` key of a rejected tool result that carries the stable error code. */
export const CODE_META_KEY = 'agentguard/code';

/** The `_meta` key of every guarded tool result that carries the decision id. */
export const DECISION_META_KEY = 'agentguard/decisionId';
