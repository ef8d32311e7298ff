import type { Principal, ToolInfo } from '@agentguard/core';

export const KEY_A = Buffer.alloc(32, 1).toString('base64');
export const KEY_B = Buffer.alloc(32, 2).toString('base64');

export function principal(tenantId: string, permissions: string[] = []): Principal {
  return {
    subject: `user-${tenantId}`,
    tenantId,
    roles: [],
    permissions,
    scopes: [],
    authLevel: {},
    claims: {},
    authenticatedBy: 'test',
  };
}

export const TOOL: ToolInfo = {
  name: 'crm.get',
  operation: 'read',
  annotations: {},
  tags: [],
  sensitivity: 'internal',
};
