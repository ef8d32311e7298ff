import { describe, expect, it } from 'vitest';
import { rbac } from '@agentguard/rbac';
import { principal, tool } from './helpers.js';

function build() {
  return rbac({
    mode: 'roles',
    hierarchy: { admin: ['approver'], approver: ['viewer'] },
    rules: [
      { id: 'read', tools: ['*'], operations: ['read'], roles: ['viewer'] },
      { id: 'payments', tools: ['payments.*'], roles: ['approver'] },
    ],
    tenantRules: {
      acme: [
        { id: 'acme-refunds-admin', tools: ['payments.refund'], roles: ['admin'] },
        {
          id: 'acme-payments-read',
          tools: ['payments.*'],
          operations: ['read'],
          roles: ['viewer'],
        },
        // Tries to widen: a viewer calling writes, and a tool no global rule covers.
        { id: 'acme-widen', tools: ['payments.*', 'secret.*'], roles: ['viewer'] },
      ],
      strict: [{ id: 'strict-crm', tools: ['crm.*'], roles: ['viewer'] }],
    },
  });
}

describe('tenant rules narrow, never widen', () => {
  it('narrows: a call allowed globally is denied by the tenant rules', () => {
    const access = build();
    const acmeApprover = principal({ tenantId: 'acme', roles: ['approver'] });
    // Allowed by both: globally by `payments`, and in acme by `acme-widen` (granted to
    // viewer, which approver inherits). Both rules are recorded.
    expect(access.authorize(acmeApprover, tool('payments.refund', 'write'))).toMatchObject({
      ok: true,
      value: { matchedRules: ['payments', 'acme-widen'] },
    });
    const strictApprover = principal({ tenantId: 'strict', roles: ['approver'] });
    expect(access.authorize(strictApprover, tool('payments.refund', 'write'))).toMatchObject({
      ok: false,
      error: { code: 'forbidden', reason: 'tenant_rule_denied' },
    });
    expect(access.authorize(strictApprover, tool('crm.get'))).toMatchObject({
      ok: true,
      value: { matchedRules: ['read', 'strict-crm'] },
    });
    // A tool no tenant rule targets is denied for that tenant (deny by default there too).
    expect(access.authorize(strictApprover, tool('docs.get'))).toMatchObject({
      ok: false,
      error: { reason: 'tenant_rule_denied' },
    });
  });

  it('cannot widen: a tenant rule never allows what the global rules deny', () => {
    const access = build();
    const acmeViewer = principal({ tenantId: 'acme', roles: ['viewer'] });
    // acme-widen grants viewer every payments tool; globally a viewer may only read.
    expect(access.authorize(acmeViewer, tool('payments.refund', 'write'))).toMatchObject({
      ok: false,
      error: { reason: 'role_missing' },
    });
    expect(access.authorize(acmeViewer, tool('payments.list'))).toMatchObject({ ok: true });
    // secret.* is covered by no global rule at all.
    expect(access.authorize(acmeViewer, tool('secret.dump', 'write'))).toMatchObject({
      ok: false,
      error: { reason: 'no_matching_rule' },
    });
    expect(
      access.authorize(
        principal({ tenantId: 'acme', roles: ['admin'] }),
        tool('secret.dump', 'write'),
      ).ok,
    ).toBe(false);
  });

  it("one tenant's rules never affect another tenant's principals", () => {
    const access = build();
    for (const tenantId of ['tenant-b', 'ACME', 'acme ', 'strict2', '']) {
      const approver = principal({ tenantId, roles: ['approver'] });
      expect(access.authorize(approver, tool('payments.refund', 'write')), tenantId).toMatchObject({
        ok: true,
        value: { matchedRules: ['payments'] },
      });
      expect(access.authorize(approver, tool('docs.get')).ok).toBe(true);
    }
  });

  it('adding tenant rules later narrows that tenant only, immediately', () => {
    const access = build();
    const globex = principal({ tenantId: 'globex', roles: ['approver'] });
    const other = principal({ tenantId: 'initech', roles: ['approver'] });
    const payments = tool('payments.refund', 'write');
    expect(access.authorize(globex, payments).ok).toBe(true);
    access.addRules(
      [{ id: 'globex-read-only', tools: ['*'], operations: ['read'], roles: ['viewer'] }],
      {
        tenantId: 'globex',
      },
    );
    expect(access.authorize(globex, payments)).toMatchObject({
      ok: false,
      error: { reason: 'tenant_rule_denied' },
    });
    expect(access.authorize(other, payments).ok).toBe(true);
    // Adding to an existing tenant's rules widens within the global bound only.
    access.addRules([{ id: 'strict-all', tools: ['*'], roles: ['admin'] }], { tenantId: 'strict' });
    const strictAdmin = principal({ tenantId: 'strict', roles: ['admin'] });
    expect(access.authorize(strictAdmin, payments).ok).toBe(true);
    expect(access.authorize(strictAdmin, tool('unknown.tool', 'delete'))).toMatchObject({
      ok: false,
      error: { reason: 'no_matching_rule' },
    });
  });

  it('adding global rules later takes effect for registered and unregistered tools', () => {
    const access = build();
    const registered = tool('reports.build', 'write');
    access.toolRegistered(registered);
    const viewer = principal({ roles: ['viewer'] });
    expect(access.authorize(viewer, registered).ok).toBe(false);
    expect(access.authorize(viewer, tool('reports.other', 'write')).ok).toBe(false);
    access.addRules([{ id: 'reports', tools: ['reports.*'], roles: ['viewer'] }]);
    expect(access.authorize(viewer, registered)).toMatchObject({
      ok: true,
      value: { matchedRules: ['reports'] },
    });
    expect(access.authorize(viewer, tool('reports.other', 'write')).ok).toBe(true);
  });

  it('works the same in permissions mode', () => {
    const access = rbac({
      mode: 'permissions',
      rules: [{ id: 'pay', tools: ['payments.*'], permissions: ['payments'] }],
      tenantRules: {
        acme: [{ id: 'acme-pay', tools: ['payments.list'], permissions: ['payments'] }],
      },
    });
    const p = (tenantId: string) => principal({ tenantId, permissions: ['payments'] });
    expect(access.authorize(p('acme'), tool('payments.list'))).toMatchObject({
      ok: true,
      value: { matchedRules: ['pay', 'acme-pay'] },
    });
    expect(access.authorize(p('acme'), tool('payments.refund', 'write'))).toMatchObject({
      ok: false,
      error: { reason: 'tenant_rule_denied' },
    });
    expect(access.authorize(p('other'), tool('payments.refund', 'write')).ok).toBe(true);
  });
});
