import {
  anonymousAuthenticator,
  createGuard,
  createMetricsRecorder,
  fail,
  memoryAuditSink,
  ok,
  UnauthenticatedError,
  type Authenticator,
  type Logger,
  type Principal,
} from '@agentguard/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rbac } from '@agentguard/rbac';
import { principal } from './helpers.js';

/** A tiny real authenticator: the token names a principal in a table. */
function tableAuthenticator(table: Record<string, Principal>): Authenticator {
  return {
    kind: 'authenticator',
    name: 'table',
    authenticate(context) {
      const token = context.token;
      if (token === undefined || !Object.hasOwn(table, token)) {
        return fail(new UnauthenticatedError(undefined, { reason: 'invalid' }));
      }
      return ok(table[token]!);
    },
  };
}

function setup(logger?: Logger) {
  const sink = memoryAuditSink();
  const metrics = createMetricsRecorder();
  const access = rbac({
    mode: 'roles',
    hierarchy: { admin: ['approver'], approver: ['viewer'] },
    rules: [
      { id: 'read-all', tools: ['*'], operations: ['read'], roles: ['viewer'] },
      { id: 'payments', tools: ['payments.*'], roles: ['approver'] },
    ],
    tenantRules: {
      acme: [{ id: 'acme-read-only', tools: ['*'], operations: ['read'], roles: ['viewer'] }],
    },
    metrics: metrics.listener,
    ...(logger ? { logger } : {}),
  });
  const guard = createGuard({
    authenticator: tableAuthenticator({
      viewer: principal({ subject: 'vera', roles: ['viewer'] }),
      admin: principal({ subject: 'ada', roles: ['admin'] }),
      acmeAdmin: principal({ subject: 'ann', tenantId: 'acme', roles: ['admin'] }),
    }),
    accessControl: access,
    audit: { sinks: [sink] },
  });
  const calls: string[] = [];
  const refund = guard(
    'payments.refund',
    { input: z.object({ amount: z.number() }), operation: 'write' },
    ({ amount }, { principal: who }) => {
      calls.push(`${who.subject}:${amount}`);
      return { refunded: amount };
    },
  );
  const list = guard('payments.list', { input: z.object({}), operation: 'read' }, () => []);
  const wipe = guard('admin.wipe', { input: z.object({}), operation: 'delete' }, () => 'wiped');
  return { guard, sink, metrics, refund, list, wipe, calls, access };
}

describe('with createGuard', () => {
  it('audits a forbidden call with code forbidden and the allowed one with matchedRules', async () => {
    const { guard, sink, refund, calls } = setup();
    const denied = await refund.execute({ amount: 5 }, { token: 'viewer' });
    expect(denied.ok).toBe(false);
    if (denied.ok) return;
    expect(denied.error.code).toBe('forbidden');
    expect(denied.error.reason).toBe('role_missing');
    expect(denied.error.toJSON()).toMatchObject({
      code: 'forbidden',
      status: 403,
      message: 'not allowed to call payments.refund',
    });
    expect(denied.decision.stage).toBe('authorize');

    await expect(refund({ amount: 7 }, { token: 'admin' })).resolves.toEqual({ refunded: 7 });
    expect(calls).toEqual(['ada:7']);

    await guard.flush();
    expect(sink.events).toHaveLength(2);
    const [forbidden, allowed] = sink.events;
    expect(forbidden).toMatchObject({
      tool: 'payments.refund',
      outcome: 'rejected',
      code: 'forbidden',
      reason: 'role_missing',
      stage: 'authorize',
      subject: 'vera',
      matchedRules: [],
    });
    expect(allowed).toMatchObject({
      tool: 'payments.refund',
      outcome: 'allowed',
      subject: 'ada',
      matchedRules: ['payments'],
    });
    await guard.close();
  });

  it('applies tenant narrowing inside the pipeline and never runs the handler', async () => {
    const { guard, sink, refund, list, calls } = setup();
    await expect(refund({ amount: 1 }, { token: 'acmeAdmin' })).rejects.toMatchObject({
      code: 'forbidden',
      reason: 'tenant_rule_denied',
    });
    await expect(list({}, { token: 'acmeAdmin' })).resolves.toEqual([]);
    expect(calls).toEqual([]);
    await guard.flush();
    expect(sink.events.map((e) => [e.code ?? 'ok', e.matchedRules])).toEqual([
      ['forbidden', []],
      ['ok', ['read-all', 'payments', 'acme-read-only']],
    ]);
    await guard.close();
  });

  it('denies an uncovered tool by default and warned about it when it was registered', async () => {
    const warnings: string[] = [];
    const { guard, wipe, metrics } = setup({
      warn: (message) => warnings.push(message),
      error() {},
    });
    expect(warnings).toEqual(['no rule covers delete tool admin.wipe; every call to it is denied']);
    expect(metrics.snapshot().warnings).toEqual([
      'rbac: no rule covers delete tool admin.wipe; every call to it is denied',
    ]);
    await expect(wipe({}, { token: 'admin' })).rejects.toMatchObject({
      code: 'forbidden',
      reason: 'no_matching_rule',
    });
    await guard.close();
  });

  it("filters the guard's tool listing per principal", async () => {
    const { guard } = setup();
    const names = async (token: string) => {
      const auth = await guard.authenticate({ token });
      if (!auth.ok) throw auth.error;
      return (await guard.visibleTools(auth.value)).map((t) => t.name);
    };
    expect(await names('viewer')).toEqual(['payments.list']);
    expect(await names('admin')).toEqual(['payments.refund', 'payments.list']);
    expect(await names('acmeAdmin')).toEqual(['payments.list']);
    await guard.close();
  });

  it('works with anonymousAuthenticator roles', async () => {
    const guard = createGuard({
      authenticator: anonymousAuthenticator({ roles: ['viewer'] }),
      accessControl: rbac({
        mode: 'roles',
        rules: [{ id: 'public-read', tools: ['docs.*'], operations: ['read'], roles: ['viewer'] }],
      }),
    });
    const search = guard(
      'docs.search',
      { input: z.object({ q: z.string() }), operation: 'read' },
      ({ q }) => q,
    );
    const edit = guard('docs.edit', { input: z.object({}), operation: 'write' }, () => 'edited');
    await expect(search({ q: 'hi' })).resolves.toBe('hi');
    await expect(edit({})).rejects.toMatchObject({ code: 'forbidden', reason: 'no_matching_rule' });
    await guard.close();
  });
});
