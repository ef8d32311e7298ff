// The README's quick start, run as a test so the README stays accurate.
import { anonymousAuthenticator, createGuard, memoryAuditSink } from '@agentguard/core';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { rbac } from '@agentguard/rbac';

it('runs the README quick start', async () => {
  const warnings: string[] = [];
  const logger = { warn: (m: string) => warnings.push(m), error: () => {} };

  // --- README code starts (with `logger: console` there) ---
  const access = rbac({
    mode: 'roles',
    hierarchy: { admin: ['approver'], approver: ['viewer'] },
    rules: [
      { id: 'crm-read', tools: ['crm.get_*'], operations: ['read'], roles: ['viewer'] },
      { id: 'payments', tools: ['payments.*'], roles: ['approver'] },
      { id: 'pii-export', tags: ['pii'], roles: ['admin'] },
    ],
    tenantRules: {
      // In tenant "acme", only reads: tenant rules narrow, they never widen.
      acme: [{ id: 'acme-read-only', tools: ['*'], operations: ['read'], roles: ['viewer'] }],
    },
    logger,
  });

  const sink = memoryAuditSink();
  const guard = createGuard({
    // Use @agentguard/jwt-auth in production; the anonymous principal here is an approver.
    authenticator: anonymousAuthenticator({ roles: ['approver'] }),
    accessControl: access,
    audit: { sinks: [sink] },
  });

  const refund = guard(
    'payments.refund',
    { input: z.object({ amount: z.number() }), operation: 'write' },
    ({ amount }) => ({ refunded: amount }),
  );
  const exportCustomers = guard(
    'crm.export',
    { input: z.object({}), operation: 'read', annotations: { tags: ['pii'] } },
    () => 'customers.csv',
  );
  // logger.warn: "no rule covers delete tool admin.wipe; every call to it is denied"
  const wipe = guard('admin.wipe', { input: z.object({}), operation: 'delete' }, () => 'wiped');

  const refunded = await refund({ amount: 10 }); // { refunded: 10 }
  const denied = await exportCustomers.execute({}); // forbidden: admin only
  const wiped = await wipe.execute({}); // forbidden: no rule, deny by default

  await guard.flush();
  const audited = sink.events.map((e) => [e.tool, e.code ?? 'allowed', e.matchedRules]);
  // [['payments.refund', 'allowed', ['payments']],
  //  ['crm.export', 'forbidden', []],
  //  ['admin.wipe', 'forbidden', []]]

  const principal = await guard.authenticate({});
  if (principal.ok) {
    console.log(access.explain(principal.value, exportCustomers.info));
    // { allowed: false, reason: 'role_missing', checked: [...] }
    console.log((await guard.visibleTools(principal.value)).map((t) => t.name));
    // ['payments.refund']
  }
  // --- README code ends ---

  expect(refunded).toEqual({ refunded: 10 });
  expect(denied.ok ? undefined : denied.error.toJSON()).toMatchObject({
    code: 'forbidden',
    reason: 'role_missing',
    message: 'not allowed to call crm.export',
  });
  expect(wiped.ok ? undefined : wiped.error.reason).toBe('no_matching_rule');
  expect(warnings).toEqual(['no rule covers delete tool admin.wipe; every call to it is denied']);
  expect(audited).toEqual([
    ['payments.refund', 'allowed', ['payments']],
    ['crm.export', 'forbidden', []],
    ['admin.wipe', 'forbidden', []],
  ]);
  expect(principal.ok && access.explain(principal.value, exportCustomers.info)).toMatchObject({
    allowed: false,
    reason: 'role_missing',
  });
  expect(principal.ok && (await guard.visibleTools(principal.value)).map((t) => t.name)).toEqual([
    'payments.refund',
  ]);
  await guard.close();
});
