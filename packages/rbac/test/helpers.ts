import type { OperationKind, ToolInfo } from '@agentguard/core';

/** A principal with test defaults. */
export { testPrincipal as principal } from '../../../scripts/test-support/principals.js';

/** A tool as core's guard() describes it. */
export function tool(
  name: string,
  operation: OperationKind = 'read',
  tags: readonly string[] = [],
): ToolInfo {
  return Object.freeze({
    name,
    operation,
    annotations: Object.freeze({ tags }),
    tags: Object.freeze([...tags]),
    sensitivity: 'internal',
  });
}
