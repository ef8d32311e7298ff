import type { CallContext, PolicyInput, Principal, ToolInfo } from '@agentguard/core';
import { testPrincipal } from '../../../../scripts/test-support/principals.js';

/** A principal with this package's test defaults (an agent of tenant acme). */
export function principal(overrides: Partial<Principal> = {}): Principal {
  return testPrincipal({ tenantId: 'acme', roles: ['agent'], ...overrides });
}

/** A tool with defaults for tests. */
export function tool(overrides: Partial<ToolInfo> = {}): ToolInfo {
  return {
    name: 'crm.read',
    operation: 'read',
    annotations: {},
    tags: [],
    sensitivity: 'internal',
    ...overrides,
  };
}

/** 2025-01-06T10:00:00Z, a Monday. */
export const MONDAY_10_UTC = Date.UTC(2025, 0, 6, 10, 0, 0);

/** A policy input with defaults for tests. */
export function input(
  overrides: {
    principal?: Partial<Principal>;
    tool?: Partial<ToolInfo> | ToolInfo;
    args?: unknown;
    context?: CallContext;
    now?: number;
  } = {},
): PolicyInput {
  return {
    principal: principal(overrides.principal),
    tool: tool(overrides.tool),
    args: overrides.args ?? {},
    context: overrides.context ?? {},
    now: overrides.now ?? MONDAY_10_UTC,
  };
}
