import { describe, expect, it } from 'vitest';
import { rbac } from '@agentguard/rbac';
import { principal, tool } from './helpers.js';

describe('hostile input', () => {
  const access = rbac({
    mode: 'roles',
    hierarchy: { admin: ['viewer'] },
    rules: [
      { id: 'read', tools: ['docs.*'], roles: ['viewer'] },
      { id: 'exact', tools: ['pay.refund'], roles: ['approver'] },
    ],
  });

  it('refuses principals with huge role lists without scanning them', () => {
    const roles = Array.from({ length: 100_000 }, (_, i) => `role-${i}`);
    roles.push('admin');
    expect(access.authorize(principal({ roles }), tool('docs.get'))).toMatchObject({
      ok: false,
      error: { code: 'forbidden', reason: 'too_many_roles' },
    });
    expect(access.explain(principal({ roles }), tool('docs.get')).reason).toBe('too_many_roles');
    // Up to the limit, every role counts.
    const limited = rbac({
      mode: 'roles',
      maxPrincipalValues: 5000,
      rules: [{ id: 'read', tools: ['docs.*'], roles: ['viewer'] }],
    });
    const many = Array.from({ length: 4999 }, (_, i) => `role-${i}`);
    expect(limited.authorize(principal({ roles: [...many, 'viewer'] }), tool('docs.get')).ok).toBe(
      true,
    );
    expect(limited.authorize(principal({ roles: many }), tool('docs.get')).ok).toBe(false);
    const permissions = rbac({ mode: 'permissions', maxPrincipalValues: 2, rules: [] });
    expect(
      permissions.authorize(principal({ permissions: ['a', 'b', 'c'] }), tool('x')),
    ).toMatchObject({ ok: false, error: { reason: 'too_many_permissions' } });
  });

  it('treats roles named __proto__, constructor, toString as plain strings', () => {
    for (const role of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype']) {
      expect(access.authorize(principal({ roles: [role] }), tool('docs.get')).ok, role).toBe(false);
    }
    const hierarchy = JSON.parse(
      '{"__proto__": ["viewer"], "constructor": ["__proto__"], "viewer": []}',
    ) as Record<string, string[]>;
    const proto = rbac({
      mode: 'roles',
      hierarchy,
      rules: [
        { id: 'read', tools: ['docs.*'], roles: ['viewer'] },
        { id: 'proto', tools: ['proto.*'], roles: ['__proto__'] },
      ],
      tenantRules: JSON.parse(
        '{"__proto__": [{"id":"t","tools":["*"],"roles":["nobody"]}]}',
      ) as never,
    });
    expect(proto.authorize(principal({ roles: ['constructor'] }), tool('docs.get')).ok).toBe(true);
    expect(proto.authorize(principal({ roles: ['constructor'] }), tool('proto.x')).ok).toBe(true);
    expect(proto.authorize(principal({ roles: ['__proto__'] }), tool('docs.get')).ok).toBe(true);
    expect(proto.authorize(principal({ roles: ['viewer'] }), tool('proto.x')).ok).toBe(false);
    // The tenant literally named __proto__ is narrowed, nobody else is.
    expect(
      proto.authorize(principal({ tenantId: '__proto__', roles: ['viewer'] }), tool('docs.get')),
    ).toMatchObject({ ok: false, error: { reason: 'tenant_rule_denied' } });
    expect(
      proto.authorize(principal({ tenantId: 'constructor', roles: ['viewer'] }), tool('docs.get'))
        .ok,
    ).toBe(true);
    expect(({} as Record<string, unknown>)['viewer']).toBeUndefined();
  });

  it('matches tool names containing glob and regex characters literally', () => {
    const viewer = principal({ roles: ['viewer'] });
    const approver = principal({ roles: ['approver'] });
    // A tool name that looks like a pattern is only a name: it matches what it is.
    expect(access.authorize(approver, tool('pay.*')).ok).toBe(false);
    expect(access.authorize(approver, tool('pay.refund*')).ok).toBe(false);
    expect(access.authorize(approver, tool('pay?refund')).ok).toBe(false);
    expect(access.authorize(approver, tool('pay.refun.')).ok).toBe(false);
    expect(access.authorize(viewer, tool('docs.*')).ok).toBe(true); // docs.* glob covers it
    expect(access.authorize(viewer, tool('docs')).ok).toBe(false);
    expect(access.authorize(viewer, tool('docs.(a+)+$')).ok).toBe(true);
    expect(access.authorize(viewer, tool('xdocs.get')).ok).toBe(false);
    expect(access.authorize(viewer, tool('docs.get\nadmin')).ok).toBe(true);
    expect(access.authorize(viewer, tool('admin\ndocs.get')).ok).toBe(false);
  });

  it('treats regex characters in rule patterns literally', () => {
    const literal = rbac({
      mode: 'roles',
      rules: [{ id: 'odd', tools: ['a+b.(c)|d*'], roles: ['viewer'] }],
    });
    const viewer = principal({ roles: ['viewer'] });
    expect(literal.authorize(viewer, tool('a+b.(c)|d')).ok).toBe(true);
    expect(literal.authorize(viewer, tool('a+b.(c)|dXYZ')).ok).toBe(true);
    expect(literal.authorize(viewer, tool('aab.c')).ok).toBe(false);
    expect(literal.authorize(viewer, tool('d')).ok).toBe(false);
  });

  it('does not let one call with altered tags poison the cache for the real tool', () => {
    const tagged = rbac({
      mode: 'roles',
      rules: [{ id: 'pii', tags: ['pii'], roles: ['officer'] }],
    });
    const officer = principal({ roles: ['officer'] });
    const real = tool('crm.export', 'read', ['pii']);
    tagged.toolRegistered(real);
    expect(tagged.authorize(officer, real).ok).toBe(true);
    expect(tagged.authorize(officer, tool('crm.export', 'read', [])).ok).toBe(false);
    expect(tagged.authorize(officer, tool('crm.export', 'write', ['pii'])).ok).toBe(true);
    expect(tagged.authorize(officer, real).ok).toBe(true);
    const untagged = tool('crm.export', 'read', ['public']);
    expect(tagged.authorize(officer, untagged).ok).toBe(false);
    expect(tagged.authorize(officer, real).ok).toBe(true);
  });

  it('keeps the ad-hoc cache bounded and correct under a flood of tool names', () => {
    const small = rbac({
      mode: 'roles',
      cacheSize: 16,
      rules: [{ id: 'even', tools: ['t.*0', 't.*2', 't.*4', 't.*6', 't.*8'], roles: ['viewer'] }],
    });
    const viewer = principal({ roles: ['viewer'] });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2000; i++) {
        expect(small.authorize(viewer, tool(`t.${i}`)).ok).toBe(i % 2 === 0);
      }
    }
  });

  it('refuses malformed principals and tools instead of throwing', () => {
    const broken = principal({ roles: 'admin' as never });
    expect(access.authorize(broken, tool('docs.get'))).toMatchObject({
      ok: false,
      error: { reason: 'invalid_principal' },
    });
    const withJunk = principal({ roles: [{} as never, 7 as never, null as never, 'viewer'] });
    expect(access.authorize(withJunk, tool('docs.get')).ok).toBe(true);
    const junkOnly = principal({ roles: [{ toString: () => 'viewer' } as never] });
    expect(access.authorize(junkOnly, tool('docs.get')).ok).toBe(false);
    const nameless = { ...tool('docs.get'), name: 42 as never };
    expect(access.authorize(principal({ roles: ['viewer'] }), nameless)).toMatchObject({
      ok: false,
      error: { reason: 'no_matching_rule', message: 'not allowed to call this tool' },
    });
    expect(access.explain(principal({ roles: ['viewer'] }), nameless).allowed).toBe(false);
    const noTags = { name: 'docs.get', operation: 'read' as const, tags: 'pii' as never };
    expect(access.authorize(principal({ roles: ['viewer'] }), noTags).ok).toBe(true);
  });

  it('never echoes an attacker-chosen tool name that is not a plain name', () => {
    const result = access.authorize(principal(), tool('<script>alert(1)</script>'));
    expect(result).toMatchObject({
      ok: false,
      error: { message: 'not allowed to call this tool' },
    });
    const long = access.authorize(principal(), tool('a'.repeat(10_000)));
    expect(long).toMatchObject({ ok: false, error: { message: 'not allowed to call this tool' } });
  });
});
