import type { OperationKind, Principal, ToolInfo } from '@agentguard/core';

/** A principal with test defaults. */
export function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    subject: 'user-1',
    tenantId: 'tenant-a',
    roles: [],
    permissions: [],
    scopes: [],
    authLevel: {},
    claims: {},
    authenticatedBy: 'test',
    ...overrides,
  };
}

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
