import { compileToolPattern, type OperationKind } from '@agentguard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rbac, type RoleHierarchy, type RoleRule } from '@agentguard/rbac';
import { principal, tool } from './helpers.js';

describe('explain', () => {
  const access = rbac({
    mode: 'roles',
    hierarchy: { admin: ['approver'], approver: ['viewer'] },
    rules: [
      { id: 'read', tools: ['*'], operations: ['read'], roles: ['viewer'] },
      { id: 'pay', tools: ['payments.*'], roles: ['approver'] },
      { id: 'pii', tags: ['pii'], roles: ['admin'] },
    ],
    tenantRules: {
      acme: [{ id: 'acme-read', tools: ['*'], operations: ['read'], roles: ['viewer'] }],
    },
  });

  it('names the rule that allowed', () => {
    const explanation = access.explain(
      principal({ roles: ['approver'] }),
      tool('payments.refund', 'write'),
    );
    expect(explanation).toEqual({
      allowed: true,
      reason: 'allowed',
      rule: 'pay',
      matchedRules: ['pay'],
      tenantRulesApplied: false,
      checked: [
        { id: 'read', scope: 'global', targets: false, mismatch: 'operation', granted: false },
        { id: 'pay', scope: 'global', targets: true, granted: true, grantedBy: 'approver' },
        { id: 'pii', scope: 'global', targets: false, mismatch: 'tags', granted: false },
      ],
    });
  });

  it('says why it denied: no rule, missing role, tenant rules', () => {
    const viewer = principal({ roles: ['viewer'] });
    const none = access.explain(viewer, tool('crm.update', 'write'));
    expect(none).toMatchObject({ allowed: false, reason: 'no_matching_rule', matchedRules: [] });
    expect(none.rule).toBeUndefined();
    expect(none.checked.map((c) => c.mismatch)).toEqual(['operation', 'name', 'tags']);

    const missing = access.explain(viewer, tool('payments.refund', 'write'));
    expect(missing).toMatchObject({ allowed: false, reason: 'role_missing' });
    expect(missing.checked[1]).toEqual({
      id: 'pay',
      scope: 'global',
      targets: true,
      granted: false,
    });

    const acme = access.explain(
      principal({ roles: ['approver'], tenantId: 'acme' }),
      tool('payments.refund', 'write'),
    );
    expect(acme).toMatchObject({
      allowed: false,
      reason: 'tenant_rule_denied',
      rule: 'pay',
      matchedRules: [],
      tenantRulesApplied: true,
    });
    expect(acme.checked.at(-1)).toEqual({
      id: 'acme-read',
      scope: 'tenant',
      targets: false,
      mismatch: 'operation',
      granted: false,
    });
  });

  it('reports the tenant rules that allowed after the global ones', () => {
    const explanation = access.explain(
      principal({ roles: ['admin'], tenantId: 'acme' }),
      tool('payments.list', 'read', ['pii']),
    );
    expect(explanation).toMatchObject({
      allowed: true,
      rule: 'read',
      matchedRules: ['read', 'pay', 'pii', 'acme-read'],
    });
  });
});

// Model-based check: `authorize`, `explain` and `visibleTools` agree with each other and with
// a naive reference that follows the spec literally (no caching, no precomputation).
const ROLES = ['a', 'b', 'c', 'd', 'e', '__proto__'];
const PATTERNS = ['x.*', '*.y', 'x.y', '*', 'w.*', 'x', 'x.y.*'];
const TOOL_NAMES = ['x.y', 'x.z', 'w.y', 'x', 'x.y.z', 'q'];
const TAGS = ['t1', 't2', 't3'];
const OPERATIONS: OperationKind[] = ['read', 'write', 'delete'];

const ruleArb = fc
  .record(
    {
      tools: fc.subarray(PATTERNS, { minLength: 1, maxLength: 3 }),
      tags: fc.subarray(TAGS, { minLength: 1, maxLength: 2 }),
      operations: fc.subarray(OPERATIONS, { minLength: 1 }),
      roles: fc.subarray(ROLES, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: ['roles'] },
  )
  .filter((rule) => rule.tools !== undefined || rule.tags !== undefined);

// Edges only from a lower to a higher index: acyclic by construction.
const hierarchyArb = fc
  .array(fc.tuple(fc.nat(ROLES.length - 2), fc.nat(ROLES.length - 1)), { maxLength: 6 })
  .map((edges) => {
    const hierarchy: Record<string, string[]> = {};
    for (const [from, rawTo] of edges) {
      const to = Math.max(rawTo, from + 1);
      const list =
        (Object.hasOwn(hierarchy, ROLES[from]!) ? hierarchy[ROLES[from]!] : undefined) ?? [];
      list.push(ROLES[to]!);
      Object.defineProperty(hierarchy, ROLES[from]!, {
        value: list,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
    return hierarchy;
  });

function reference(
  rules: readonly RoleRule[],
  tenantRules: readonly RoleRule[] | undefined,
  hierarchy: RoleHierarchy,
  roles: readonly string[],
  name: string,
  operation: OperationKind,
  tags: readonly string[],
): { allowed: boolean; reason: string; matchedRules: string[] } {
  const held = new Set<string>();
  const stack = [...roles];
  while (stack.length > 0) {
    const role = stack.pop()!;
    if (held.has(role)) continue;
    held.add(role);
    if (Object.hasOwn(hierarchy, role)) stack.push(...hierarchy[role]!);
  }
  const evaluate = (list: readonly RoleRule[]) => {
    const targeting = list.filter(
      (r) =>
        (r.tools === undefined || r.tools.some((p) => compileToolPattern(p)(name))) &&
        (r.operations === undefined || r.operations.includes(operation)) &&
        (r.tags === undefined || r.tags.some((t) => tags.includes(t))),
    );
    return {
      targeted: targeting.length > 0,
      granted: targeting.filter((r) => r.roles.some((role) => held.has(role))).map((r) => r.id),
    };
  };
  const global = evaluate(rules);
  if (global.granted.length === 0) {
    return {
      allowed: false,
      reason: global.targeted ? 'role_missing' : 'no_matching_rule',
      matchedRules: [],
    };
  }
  if (tenantRules !== undefined) {
    const tenant = evaluate(tenantRules);
    if (tenant.granted.length === 0)
      return { allowed: false, reason: 'tenant_rule_denied', matchedRules: [] };
    return {
      allowed: true,
      reason: 'allowed',
      matchedRules: [...global.granted, ...tenant.granted],
    };
  }
  return { allowed: true, reason: 'allowed', matchedRules: global.granted };
}

describe('authorize, explain and visibleTools agree with a naive reference', () => {
  it('on random rule sets, hierarchies, tenants, principals and tools', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 8 }),
        fc.option(fc.array(ruleArb, { maxLength: 4 }), { nil: undefined }),
        hierarchyArb,
        fc.array(
          fc.record({
            roles: fc.subarray(ROLES),
            tenantId: fc.constantFrom('acme', 'other'),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.array(
          fc.record({
            name: fc.constantFrom(...TOOL_NAMES),
            operation: fc.constantFrom(...OPERATIONS),
            tags: fc.subarray(TAGS),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (rawRules, rawTenant, hierarchy, principals, tools) => {
          const rules = rawRules.map((r, i) => ({ ...r, id: `g${i}` }));
          const tenant = rawTenant?.map((r, i) => ({ ...r, id: `t${i}` }));
          const access = rbac({
            mode: 'roles',
            rules,
            hierarchy,
            ...(tenant === undefined ? {} : { tenantRules: { acme: tenant } }),
          });
          const infos = tools.map((t) => tool(t.name, t.operation, t.tags));
          for (const p of principals) {
            const who = principal(p);
            const visible = new Set(access.visibleTools(who, infos));
            for (const info of infos) {
              const expected = reference(
                rules,
                p.tenantId === 'acme' ? tenant : undefined,
                hierarchy,
                p.roles,
                info.name,
                info.operation,
                info.tags,
              );
              // Twice: the second answer comes from the per-tool cache.
              for (let pass = 0; pass < 2; pass++) {
                const result = access.authorize(who, info);
                expect(result.ok).toBe(expected.allowed);
                if (result.ok) expect(result.value.matchedRules).toEqual(expected.matchedRules);
                else expect(result.error.reason).toBe(expected.reason);
              }
              const explanation = access.explain(who, info);
              expect(explanation.allowed).toBe(expected.allowed);
              expect(explanation.reason).toBe(expected.reason);
              expect(explanation.matchedRules).toEqual(expected.matchedRules);
              expect(visible.has(info)).toBe(expected.allowed);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
