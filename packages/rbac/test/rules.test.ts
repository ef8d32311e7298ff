import {
  ForbiddenError,
  GuardConfigError,
  type StageResult,
  type AccessGrant,
} from '@agentguard/core';
import { describe, expect, it } from 'vitest';
import { rbac, type RoleRule } from '@agentguard/rbac';
import { principal, tool } from './helpers.js';

function allowed(result: StageResult<AccessGrant>): readonly string[] {
  if (!result.ok) throw new Error(`expected allowed, got ${result.error.reason ?? '?'}`);
  return result.value.matchedRules;
}

function deniedReason(result: StageResult<AccessGrant>): string | undefined {
  if (result.ok) throw new Error(`expected denied, got ${result.value.matchedRules.join(',')}`);
  expect(result.error).toBeInstanceOf(ForbiddenError);
  expect(result.error.code).toBe('forbidden');
  expect(result.error.status).toBe(403);
  return result.error.reason;
}

const viewer = principal({ roles: ['viewer'] });
const approver = principal({ roles: ['approver'] });

describe('role rules: targeting', () => {
  it('matches exact tool names', () => {
    const access = rbac({
      mode: 'roles',
      rules: [{ id: 'crm-read', tools: ['crm.get_customer'], roles: ['viewer'] }],
    });
    expect(allowed(access.authorize(viewer, tool('crm.get_customer')))).toEqual(['crm-read']);
    expect(deniedReason(access.authorize(viewer, tool('crm.get_customers')))).toBe(
      'no_matching_rule',
    );
    expect(deniedReason(access.authorize(viewer, tool('crm.get_custome')))).toBe(
      'no_matching_rule',
    );
  });

  it('matches globs (payments.*, *.delete, *) with * as any run of characters', () => {
    const access = rbac({
      mode: 'roles',
      rules: [
        { id: 'payments', tools: ['payments.*'], roles: ['approver'] },
        { id: 'deletes', tools: ['*.delete'], roles: ['admin'] },
        { id: 'everything', tools: ['*'], roles: ['root'] },
      ],
    });
    expect(allowed(access.authorize(approver, tool('payments.refund', 'write')))).toEqual([
      'payments',
    ]);
    expect(allowed(access.authorize(approver, tool('payments.a.b.c')))).toEqual(['payments']);
    // `.` in a pattern is literal, not "any character".
    expect(deniedReason(access.authorize(approver, tool('paymentsXrefund')))).toBe('role_missing');
    expect(deniedReason(access.authorize(approver, tool('payments')))).toBe('role_missing');
    const admin = principal({ roles: ['admin'] });
    expect(allowed(access.authorize(admin, tool('crm.delete', 'delete')))).toEqual(['deletes']);
    expect(deniedReason(access.authorize(admin, tool('crm.delete.all', 'delete')))).toBe(
      'role_missing',
    );
    const root = principal({ roles: ['root'] });
    expect(allowed(access.authorize(root, tool('anything/at.all')))).toEqual(['everything']);
  });

  it('matches tags: a tool carrying any of the rule tags', () => {
    const access = rbac({
      mode: 'roles',
      rules: [{ id: 'pii', tags: ['pii', 'phi'], roles: ['privacy-officer'] }],
    });
    const officer = principal({ roles: ['privacy-officer'] });
    expect(allowed(access.authorize(officer, tool('crm.export', 'read', ['pii'])))).toEqual([
      'pii',
    ]);
    expect(allowed(access.authorize(officer, tool('ehr.read', 'read', ['x', 'phi'])))).toEqual([
      'pii',
    ]);
    expect(deniedReason(access.authorize(officer, tool('crm.export', 'read', ['public'])))).toBe(
      'no_matching_rule',
    );
    expect(deniedReason(access.authorize(officer, tool('crm.export')))).toBe('no_matching_rule');
  });

  it('matches operation kinds, narrowing names and tags', () => {
    const access = rbac({
      mode: 'roles',
      rules: [
        { id: 'read-all', tools: ['*'], operations: ['read'], roles: ['viewer'] },
        {
          id: 'billing-writes',
          tools: ['billing.*'],
          tags: ['finance'],
          operations: ['write', 'delete'],
          roles: ['accountant'],
        },
      ],
    });
    expect(allowed(access.authorize(viewer, tool('billing.invoice', 'read')))).toEqual([
      'read-all',
    ]);
    expect(deniedReason(access.authorize(viewer, tool('billing.invoice', 'write')))).toBe(
      'no_matching_rule',
    );
    const accountant = principal({ roles: ['accountant'] });
    expect(
      allowed(access.authorize(accountant, tool('billing.refund', 'write', ['finance']))),
    ).toEqual(['billing-writes']);
    // Every criterion must hold: right name and operation, wrong tag.
    expect(deniedReason(access.authorize(accountant, tool('billing.refund', 'write')))).toBe(
      'no_matching_rule',
    );
    // Right tag and operation, wrong name.
    expect(
      deniedReason(access.authorize(accountant, tool('crm.refund', 'delete', ['finance']))),
    ).toBe('no_matching_rule');
  });

  it('lists every rule that allowed, in declaration order, across several roles', () => {
    const access = rbac({
      mode: 'roles',
      rules: [
        { id: 'r1', tools: ['docs.*'], roles: ['writer'] },
        { id: 'r2', tools: ['docs.read'], roles: ['viewer'] },
        { id: 'r3', tools: ['*'], roles: ['auditor'] },
        { id: 'r4', tools: ['docs.read'], roles: ['writer', 'viewer'] },
      ],
    });
    const many = principal({ roles: ['auditor', 'viewer', 'writer'] });
    expect(allowed(access.authorize(many, tool('docs.read')))).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(allowed(access.authorize(viewer, tool('docs.read')))).toEqual(['r2', 'r4']);
  });

  it('merges grants of many role combinations correctly, beyond what it remembers', () => {
    const rules = Array.from({ length: 40 }, (_, i) => ({
      id: `r${i}`,
      tools: [i % 2 === 0 ? 'shared.tool' : 'shared.*'],
      roles: [`role${i}`],
    }));
    const access = rbac({ mode: 'roles', rules });
    const target = tool('shared.tool');
    // Deterministic pseudo-random subsets, in shuffled orders, each checked twice.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 300; n++) {
      const roles = Array.from({ length: 1 + (next() % 8) }, () => `role${next() % 45}`);
      const expected = rules.filter((r) => roles.includes(r.roles[0]!)).map((r) => r.id);
      for (let pass = 0; pass < 2; pass++) {
        const result = access.authorize(principal({ roles }), target);
        if (expected.length === 0) expect(result.ok).toBe(false);
        else expect(allowed(result)).toEqual(expected);
      }
    }
  });

  it('answers the same frozen grant on repeated calls (nothing to tamper with)', () => {
    const access = rbac({ mode: 'roles', rules: [{ id: 'a', tools: ['t'], roles: ['viewer'] }] });
    const first = access.authorize(viewer, tool('t'));
    const second = access.authorize(viewer, tool('t'));
    expect(second).toBe(first);
    const rules = allowed(first) as string[];
    expect(() => rules.push('forged')).toThrow(TypeError);
    expect(allowed(access.authorize(viewer, tool('t')))).toEqual(['a']);
  });
});

describe('deny by default', () => {
  it('denies every tool with no rules at all', () => {
    const access = rbac({ mode: 'roles', rules: [] });
    expect(deniedReason(access.authorize(principal({ roles: ['admin'] }), tool('x')))).toBe(
      'no_matching_rule',
    );
  });

  it('denies a principal with no roles, even for a rule for every tool', () => {
    const access = rbac({ mode: 'roles', rules: [{ id: 'all', tools: ['*'], roles: ['user'] }] });
    expect(deniedReason(access.authorize(principal({ roles: [] }), tool('x')))).toBe(
      'role_missing',
    );
  });

  it('tells role_missing from no_matching_rule', () => {
    const access = rbac({
      mode: 'roles',
      rules: [{ id: 'p', tools: ['payments.*'], roles: ['approver'] }],
    });
    expect(deniedReason(access.authorize(viewer, tool('payments.refund')))).toBe('role_missing');
    expect(deniedReason(access.authorize(viewer, tool('crm.get')))).toBe('no_matching_rule');
  });

  it('keeps the message safe: the tool name at most, never the roles', () => {
    const access = rbac({
      mode: 'roles',
      rules: [{ id: 'p', tools: ['payments.*'], roles: ['secret-role-name'] }],
    });
    const result = access.authorize(viewer, tool('payments.refund'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe('not allowed to call payments.refund');
    const shown = JSON.stringify(result.error.toJSON());
    expect(shown).not.toContain('secret-role-name');
    expect(shown).not.toContain('viewer');
    expect(result.error.toJSON()).toMatchObject({ code: 'forbidden', reason: 'role_missing' });
  });
});

describe('permission rules', () => {
  const access = rbac({
    mode: 'permissions',
    rules: [
      { id: 'refunds', tools: ['payments.refund'], permissions: ['payments:refund'] },
      { id: 'reads', tools: ['*'], operations: ['read'], permissions: ['read', 'read:all'] },
      { id: 'tagged', tags: ['ops'], permissions: ['ops'] },
    ],
  });

  it('allows a principal holding any listed permission (exact match)', () => {
    const p = principal({ permissions: ['payments:refund'], roles: ['admin'] });
    expect(allowed(access.authorize(p, tool('payments.refund', 'write')))).toEqual(['refunds']);
    expect(allowed(access.authorize(principal({ permissions: ['read:all'] }), tool('x')))).toEqual([
      'reads',
    ]);
    expect(
      allowed(access.authorize(principal({ permissions: ['ops'] }), tool('y', 'delete', ['ops']))),
    ).toEqual(['tagged']);
  });

  it('ignores roles in permission mode and denies permission_missing', () => {
    const p = principal({ roles: ['payments:refund'], permissions: ['payments:read'] });
    expect(deniedReason(access.authorize(p, tool('payments.refund', 'write')))).toBe(
      'permission_missing',
    );
  });

  it('never treats a permission the principal holds as a pattern', () => {
    const p = principal({ permissions: ['*', 'payments:*', 'payments:refund*'] });
    expect(deniedReason(access.authorize(p, tool('payments.refund', 'write')))).toBe(
      'permission_missing',
    );
  });
});

describe('visibleTools', () => {
  it('returns the callable tools in their order, for the principal only', () => {
    const access = rbac({
      mode: 'roles',
      hierarchy: { approver: ['viewer'] },
      rules: [
        { id: 'read', tools: ['*'], operations: ['read'], roles: ['viewer'] },
        { id: 'pay', tools: ['payments.*'], operations: ['write'], roles: ['approver'] },
      ],
      tenantRules: { narrow: [{ id: 'narrow-read', tools: ['crm.*'], roles: ['viewer'] }] },
    });
    const tools = [
      tool('crm.get'),
      tool('payments.refund', 'write'),
      tool('payments.list'),
      tool('admin.wipe', 'delete'),
    ];
    expect(access.visibleTools(viewer, tools).map((t) => t.name)).toEqual([
      'crm.get',
      'payments.list',
    ]);
    expect(access.visibleTools(approver, tools).map((t) => t.name)).toEqual([
      'crm.get',
      'payments.refund',
      'payments.list',
    ]);
    const narrowed = principal({ roles: ['approver'], tenantId: 'narrow' });
    expect(access.visibleTools(narrowed, tools).map((t) => t.name)).toEqual(['crm.get']);
    expect(access.visibleTools(principal(), tools)).toEqual([]);
    // The same answer as authorize, tool by tool.
    for (const p of [viewer, approver, narrowed]) {
      const visible = new Set(access.visibleTools(p, tools));
      for (const t of tools) expect(access.authorize(p, t).ok).toBe(visible.has(t));
    }
  });
});

describe('validation at construction', () => {
  const base: RoleRule = { id: 'r', tools: ['t'], roles: ['viewer'] };

  function configError(fn: () => unknown): GuardConfigError {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(GuardConfigError);
      return error as GuardConfigError;
    }
    throw new Error('expected a GuardConfigError');
  }

  it('refuses permission rules in a roles rule set and vice versa', () => {
    const mixed = configError(() =>
      rbac({
        mode: 'roles',
        rules: [base, { id: 'p', tools: ['t'], permissions: ['x'] } as unknown as RoleRule],
      }),
    );
    expect(mixed.message).toContain('roles rule set refuses permission rules');
    expect(mixed.path).toBe('rules[1].permissions');
    const other = configError(() =>
      rbac({
        mode: 'permissions',
        rules: [{ id: 'r', tools: ['t'], roles: ['x'] } as never],
      }),
    );
    expect(other.message).toContain('permissions rule set refuses role rules');
    expect(other.path).toBe('rules[0].roles');
  });

  it('refuses the other type in tenant rules and in addRules, adding nothing', () => {
    expect(
      configError(() =>
        rbac({
          mode: 'roles',
          rules: [base],
          tenantRules: { acme: [{ id: 'p', tools: ['t'], permissions: ['x'] } as never] },
        }),
      ).path,
    ).toBe('tenantRules.acme[0].permissions');
    const access = rbac({ mode: 'roles', rules: [] });
    const error = configError(() =>
      access.addRules([
        { id: 'fine', tools: ['t'], roles: ['viewer'] },
        { id: 'bad', tools: ['t'], permissions: ['viewer'] } as never,
      ]),
    );
    expect(error.path).toBe('rules[1].permissions');
    // Validated as a whole: the valid first rule was not added either, and its id is free.
    expect(access.authorize(viewer, tool('t')).ok).toBe(false);
    access.addRules([{ id: 'fine', tools: ['t'], roles: ['viewer'] }]);
    expect(allowed(access.authorize(viewer, tool('t')))).toEqual(['fine']);
    expect(access.mode).toBe('roles');
  });

  it('rejects unknown fields, empty lists and missing targets', () => {
    const cases: [unknown, string][] = [
      [{ ...base, role: ['viewer'] }, 'rules[0].role'],
      [{ ...base, roles: [] }, 'rules[0].roles'],
      [{ id: 'r', tools: ['t'] }, 'rules[0].roles'],
      [{ ...base, tools: [] }, 'rules[0].tools'],
      [{ ...base, tools: [''] }, 'rules[0].tools[0]'],
      [{ ...base, roles: ['viewer', 7] }, 'rules[0].roles[1]'],
      [{ id: 'r', roles: ['viewer'] }, 'rules[0]'],
      [{ ...base, operations: ['execute'] }, 'rules[0].operations[0]'],
      [{ ...base, operations: [] }, 'rules[0].operations'],
      [{ ...base, id: '' }, 'rules[0].id'],
      [{ ...base, id: 'has space' }, 'rules[0].id'],
      [{ ...base, description: 5 }, 'rules[0].description'],
      [null, 'rules[0]'],
      [['t'], 'rules[0]'],
    ];
    for (const [rule, path] of cases) {
      const error = configError(() => rbac({ mode: 'roles', rules: [rule as RoleRule] }));
      expect(error.path, JSON.stringify(rule)).toBe(path);
    }
  });

  it('rejects duplicate rule ids, across global and tenant rules', () => {
    expect(configError(() => rbac({ mode: 'roles', rules: [base, base] })).path).toBe(
      'rules[1].id',
    );
    expect(
      configError(() => rbac({ mode: 'roles', rules: [base], tenantRules: { t1: [base] } })).path,
    ).toBe('tenantRules.t1[0].id');
  });

  it('rejects bad options', () => {
    expect(configError(() => rbac({ mode: 'role', rules: [] } as never)).path).toBe('mode');
    expect(configError(() => rbac({ rules: [] } as never)).path).toBe('mode');
    expect(configError(() => rbac({ mode: 'roles', rules: [], extra: 1 } as never)).path).toBe(
      'extra',
    );
    expect(configError(() => rbac({ mode: 'roles' } as never)).path).toBe('rules');
    expect(
      configError(() => rbac({ mode: 'permissions', rules: [], hierarchy: { a: ['b'] } } as never))
        .path,
    ).toBe('hierarchy');
    expect(configError(() => rbac({ mode: 'roles', rules: [], cacheSize: 0 })).path).toBe(
      'cacheSize',
    );
    expect(
      configError(() => rbac({ mode: 'roles', rules: [], maxPrincipalValues: 1.5 })).path,
    ).toBe('maxPrincipalValues');
    expect(
      configError(() => rbac({ mode: 'roles', rules: [], tenantRules: [] as never })).path,
    ).toBe('tenantRules');
    expect(configError(() => rbac({ mode: 'roles', rules: [], logger: {} as never })).path).toBe(
      'logger',
    );
    expect(configError(() => rbac(null as never)).message).toContain('options must be an object');
  });
});
