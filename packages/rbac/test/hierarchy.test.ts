import { GuardConfigError } from '@agentguard/core';
import { describe, expect, it } from 'vitest';
import { rbac } from '@agentguard/rbac';
import { principal, tool } from './helpers.js';

const rules = [
  { id: 'read', tools: ['*'], operations: ['read' as const], roles: ['viewer'] },
  { id: 'approve', tools: ['approvals.*'], roles: ['approver'] },
  { id: 'admin', tags: ['admin'], roles: ['admin'] },
];

describe('role hierarchy', () => {
  const access = rbac({
    mode: 'roles',
    hierarchy: { admin: ['approver'], approver: ['viewer'] },
    rules,
  });

  it('lets a role inherit everything its inherited roles may do, transitively', () => {
    const admin = principal({ roles: ['admin'] });
    expect(access.authorize(admin, tool('crm.get'))).toMatchObject({
      ok: true,
      value: { matchedRules: ['read'] },
    });
    expect(access.authorize(admin, tool('approvals.decide', 'write'))).toMatchObject({
      ok: true,
      value: { matchedRules: ['approve'] },
    });
    expect(access.authorize(admin, tool('approvals.list'))).toMatchObject({
      ok: true,
      value: { matchedRules: ['read', 'approve'] },
    });
    expect(access.authorize(admin, tool('system.reset', 'delete', ['admin'])).ok).toBe(true);
  });

  it('never inherits upwards', () => {
    const viewer = principal({ roles: ['viewer'] });
    expect(access.authorize(viewer, tool('approvals.decide', 'write'))).toMatchObject({
      ok: false,
      error: { reason: 'role_missing' },
    });
    const approver = principal({ roles: ['approver'] });
    expect(access.authorize(approver, tool('system.reset', 'delete', ['admin'])).ok).toBe(false);
    expect(access.authorize(approver, tool('approvals.decide', 'write')).ok).toBe(true);
  });

  it('handles diamonds and roles outside the hierarchy', () => {
    const diamond = rbac({
      mode: 'roles',
      hierarchy: { owner: ['billing', 'support'], billing: ['member'], support: ['member'] },
      rules: [
        { id: 'm', tools: ['profile.get'], roles: ['member'] },
        { id: 'b', tools: ['billing.*'], roles: ['billing'] },
        { id: 'g', tools: ['guest.*'], roles: ['guest'] },
      ],
    });
    const owner = principal({ roles: ['owner'] });
    expect(diamond.authorize(owner, tool('profile.get'))).toMatchObject({
      ok: true,
      value: { matchedRules: ['m'] },
    });
    expect(diamond.authorize(owner, tool('billing.pay', 'write')).ok).toBe(true);
    expect(diamond.authorize(owner, tool('guest.x')).ok).toBe(false);
    expect(diamond.authorize(principal({ roles: ['guest'] }), tool('guest.x')).ok).toBe(true);
    expect(diamond.authorize(principal({ roles: ['support'] }), tool('billing.pay')).ok).toBe(
      false,
    );
  });

  it('explains which of the principal roles granted the rule', () => {
    const explanation = access.explain(principal({ roles: ['admin'] }), tool('approvals.x'));
    expect(explanation.checked.find((c) => c.id === 'approve')).toEqual({
      id: 'approve',
      scope: 'global',
      targets: true,
      granted: true,
      grantedBy: 'admin',
    });
  });
});

describe('hierarchy validation', () => {
  function cycleError(hierarchy: Record<string, string[]>): GuardConfigError {
    try {
      rbac({ mode: 'roles', hierarchy, rules: [] });
    } catch (error) {
      expect(error).toBeInstanceOf(GuardConfigError);
      return error as GuardConfigError;
    }
    throw new Error('expected the cycle to be rejected');
  }

  it('rejects a cycle and names it', () => {
    const error = cycleError({ admin: ['approver'], approver: ['viewer'], viewer: ['admin'] });
    expect(error.message).toContain('cycle: admin -> approver -> viewer -> admin');
    expect(error.path).toBe('hierarchy');
  });

  it('rejects a role inheriting itself', () => {
    expect(cycleError({ admin: ['admin'] }).message).toContain('cycle: admin -> admin');
  });

  it('rejects a cycle below an acyclic entry point', () => {
    const error = cycleError({ root: ['a'], a: ['b'], b: ['c'], c: ['a'] });
    expect(error.message).toContain('cycle: a -> b -> c -> a');
  });

  it('rejects malformed hierarchies', () => {
    const bad: [unknown, string][] = [
      [['admin'], 'hierarchy'],
      [{ admin: 'viewer' }, 'hierarchy.admin'],
      [{ admin: [''] }, 'hierarchy.admin[0]'],
      [{ admin: [1] }, 'hierarchy.admin[0]'],
      [{ '': ['viewer'] }, 'hierarchy'],
    ];
    for (const [hierarchy, path] of bad) {
      expect(() => rbac({ mode: 'roles', rules: [], hierarchy: hierarchy as never })).toThrow(
        expect.objectContaining({ path }) as Error,
      );
    }
  });

  it('accepts a long chain and resolves it transitively', () => {
    const hierarchy: Record<string, string[]> = {};
    for (let i = 0; i < 500; i++) hierarchy[`r${i}`] = [`r${i + 1}`];
    const access = rbac({
      mode: 'roles',
      hierarchy,
      rules: [{ id: 'bottom', tools: ['t'], roles: ['r500'] }],
    });
    expect(access.authorize(principal({ roles: ['r0'] }), tool('t')).ok).toBe(true);
    expect(access.authorize(principal({ roles: ['r501'] }), tool('t')).ok).toBe(false);
  });
});
