import type { AccessControl, AccessGrant, StageResult, ToolInfo } from '@agentguard/core';
import { describe, expectTypeOf, it } from 'vitest';
import { rbac, type Rbac, type RbacExplanation, type RoleRule } from '@agentguard/rbac';

describe('rbac types', () => {
  it('returns a core AccessControl whose mode follows the options', () => {
    const roles = rbac({ mode: 'roles', rules: [{ id: 'a', tools: ['*'], roles: ['viewer'] }] });
    expectTypeOf(roles).toEqualTypeOf<Rbac<'roles'>>();
    expectTypeOf(roles).toExtend<AccessControl>();
    expectTypeOf(roles.mode).toEqualTypeOf<'roles'>();
    const permissions = rbac({
      mode: 'permissions',
      rules: [{ id: 'a', tools: ['*'], permissions: ['read'] }],
    });
    expectTypeOf(permissions.mode).toEqualTypeOf<'permissions'>();
    expectTypeOf(roles.authorize).returns.toEqualTypeOf<StageResult<AccessGrant>>();
    expectTypeOf(roles.explain).returns.toEqualTypeOf<RbacExplanation>();
    expectTypeOf(roles.visibleTools<ToolInfo>).returns.toEqualTypeOf<ToolInfo[]>();
  });

  it('refuses rules of the other mode at compile time', () => {
    // @ts-expect-error a roles rule set refuses permission rules
    rbac({ mode: 'roles', rules: [{ id: 'a', tools: ['*'], permissions: ['read'] }] });
    // @ts-expect-error a permissions rule set refuses role rules
    rbac({ mode: 'permissions', rules: [{ id: 'a', tools: ['*'], roles: ['viewer'] }] });
    // @ts-expect-error permissions have no hierarchy
    rbac({ mode: 'permissions', rules: [], hierarchy: { a: ['b'] } });
    const roles = rbac({ mode: 'roles', rules: [] });
    // @ts-expect-error addRules keeps the mode
    roles.addRules([{ id: 'b', tools: ['*'], permissions: ['read'] }]);
    roles.addRules([{ id: 'b', tools: ['*'], roles: ['viewer'] }], { tenantId: 'acme' });
    const bad: RoleRule = {
      id: 'a',
      tools: ['*'],
      // @ts-expect-error operations are read, write or delete
      operations: ['execute'],
      roles: ['x'],
    };
    expectTypeOf(bad).toEqualTypeOf<RoleRule>();
  });
});
