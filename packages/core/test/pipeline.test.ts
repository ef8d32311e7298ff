import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ApprovalInvalidError,
  ForbiddenError,
  GuardConfigError,
  GuardError,
  PolicyDeniedError,
  StepUpRequiredError,
  allowAllAccess,
  anonymousAuthenticator,
  auditEventSchema,
  createGuard,
  fail,
  isDecisionId,
  memoryAuditSink,
  ok,
  type AccessControl,
  type ApprovalService,
  type CallSigner,
  type Masker,
  type PolicyEngine,
  type SignerProvider,
} from '@agentguard/core';
import { principal, tableAuthenticator } from './helpers.js';

const echoDef = { input: z.object({ text: z.string() }), operation: 'read' as const };

function roleAccess(allowed: Record<string, string[]>): AccessControl {
  return {
    kind: 'access_control',
    name: 'roles',
    authorize(p, tool) {
      const roles = allowed[tool.name] ?? [];
      return p.roles.some((r) => roles.includes(r))
        ? ok({ matchedRules: [`${tool.name}:${roles.join('|')}`] })
        : fail(new ForbiddenError(undefined, { reason: 'role_missing' }));
    },
  };
}

describe('missing stages fail safe', () => {
  it('refuses every call as unauthenticated without an authenticator', async () => {
    let ran = false;
    const guard = createGuard({ accessControl: allowAllAccess() });
    const tool = guard('echo', echoDef, () => {
      ran = true;
    });
    const result = await tool.execute({ text: 'hi' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('unauthenticated');
    expect(result.decision.reason).toBe('no_authenticator');
    expect(ran).toBe(false);
  });

  it('refuses every call as forbidden without access control', async () => {
    const guard = createGuard({ authenticator: anonymousAuthenticator() });
    const tool = guard('echo', echoDef, () => 'x');
    await expect(tool({ text: 'hi' })).rejects.toMatchObject({ code: 'forbidden', status: 403 });
  });

  it('allows with explicit anonymous and allow-all opt-ins', async () => {
    const guard = createGuard({
      authenticator: anonymousAuthenticator({ tenantId: 't1' }),
      accessControl: allowAllAccess(),
    });
    const tool = guard('echo', echoDef, ({ text }, ctx) => `${ctx.principal.tenantId}:${text}`);
    await expect(tool({ text: 'hi' }, { tenantHint: 'other' })).resolves.toBe('t1:hi');
  });

  it('refuses approval-required calls when no approval service is configured', async () => {
    const policy: PolicyEngine = {
      kind: 'policy',
      name: 'p',
      evaluate: () => ({
        ok: true,
        matched: [{ id: 'big', action: 'require_approval', monitor: false }],
        obligations: { approval: { flowId: 'f' } },
      }),
    };
    const guard = createGuard({
      authenticator: anonymousAuthenticator(),
      accessControl: allowAllAccess(),
      policy,
    });
    const tool = guard('echo', echoDef, () => 'ran');
    const result = await tool.execute({ text: 'x' });
    expect(!result.ok && result.error.code).toBe('approval_required');
    expect(result.decision.reason).toBe('no_approval_service');
  });
});

describe('pipeline order and rejections', () => {
  const users = {
    'tok-viewer': principal({ roles: ['viewer'] }),
    'tok-admin': principal({ subject: 'admin-1', roles: ['admin'] }),
  };

  function build(extra: Parameters<typeof createGuard>[0] = {}) {
    const sink = memoryAuditSink();
    const guard = createGuard({
      authenticator: tableAuthenticator(users),
      accessControl: roleAccess({ echo: ['viewer', 'admin'], drop: ['admin'] }),
      audit: { sinks: [sink] },
      ...extra,
    });
    return { guard, sink };
  }

  it('rejects a missing token before anything else, even with bad input', async () => {
    const { guard, sink } = build();
    const tool = guard('drop', echoDef, () => 'ran');
    const result = await tool.execute({ nope: 1 });
    expect(!result.ok && result.error.code).toBe('unauthenticated');
    expect(result.decision.stage).toBe('authenticate');
    await guard.flush();
    expect(sink.events[0]).toMatchObject({
      outcome: 'rejected',
      code: 'unauthenticated',
      reason: 'missing',
    });
  });

  it('checks access before validating input', async () => {
    const { guard } = build();
    const tool = guard('drop', echoDef, () => 'ran');
    const result = await tool.execute({ nope: 1 }, { token: 'tok-viewer' });
    expect(!result.ok && result.error.code).toBe('forbidden');
  });

  it('validates input after access control', async () => {
    const { guard } = build();
    const tool = guard('echo', echoDef, () => 'ran');
    const result = await tool.execute({ text: 'a', extra: true }, { token: 'tok-viewer' });
    expect(!result.ok && result.error.code).toBe('invalid_input');
    expect(!result.ok && result.error.toJSON()).toMatchObject({
      issues: [{ path: '$', message: 'unknown key: extra' }],
    });
  });

  it('gives the handler the principal, decision id, trace id and typed args', async () => {
    const { guard, sink } = build();
    const tool = guard('echo', echoDef, ({ text }, ctx) => ({
      text,
      subject: ctx.principal.subject,
      decisionId: ctx.decisionId,
      traceId: ctx.traceId,
    }));
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const result = await tool({ text: 'hi' }, { token: 'tok-viewer', traceparent });
    expect(result.subject).toBe('user-1');
    expect(isDecisionId(result.decisionId)).toBe(true);
    expect(result.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    await guard.flush();
    const event = auditEventSchema.parse(sink.events[0]);
    expect(event).toMatchObject({
      outcome: 'allowed',
      decisionId: result.decisionId,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: '00f067aa0ba902b7',
      matchedRules: ['echo:viewer|admin'],
      subject: 'user-1',
      tenantId: 'tenant-a',
    });
    expect(event.argsDigest).toMatch(/^[\w-]{43}$/);
    expect(event.args).toBeUndefined();
  });

  it('reads the bearer token from headers too', async () => {
    const { guard } = build();
    const tool = guard('echo', echoDef, ({ text }) => text);
    await expect(
      tool({ text: 'ok' }, { headers: { authorization: 'Bearer tok-admin' } }),
    ).resolves.toBe('ok');
  });

  it('uses a synchronous result as is and awaits any thenable', async () => {
    const { guard } = build();
    const sync = guard('echo', echoDef, ({ text }) => ({ text }));
    await expect(sync({ text: 'a' }, { token: 'tok-viewer' })).resolves.toEqual({ text: 'a' });
    // A query-builder-like thenable (not a Promise) is awaited like one.
    const lazy = guard(
      'drop',
      echoDef,
      ({ text }) =>
        ({
          then(resolve: (value: string) => void) {
            resolve(`rows for ${text}`);
          },
        }) as unknown as PromiseLike<string>,
    );
    await expect(lazy({ text: 'b' }, { token: 'tok-admin' })).resolves.toBe('rows for b');
  });

  it('turns a handler exception into handler_error without leaking it', async () => {
    const { guard, sink } = build();
    const tool = guard('echo', echoDef, () => {
      throw new Error('db password is hunter2 at /srv/app/db.ts:12');
    });
    const result = await tool.execute({ text: 'x' }, { token: 'tok-viewer' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('handler_error');
    expect(result.error.status).toBe(500);
    expect(JSON.stringify(result.error.toJSON())).not.toContain('hunter2');
    expect(result.error.message).toBe('tool failed');
    await guard.flush();
    expect(sink.events[0]).toMatchObject({
      outcome: 'error',
      code: 'handler_error',
      stage: 'handler',
    });
    expect(JSON.stringify(sink.events[0])).not.toContain('hunter2');
  });

  it('passes a GuardError thrown by the handler through as a rejection', async () => {
    const { guard } = build();
    const tool = guard('echo', echoDef, () => {
      throw new ForbiddenError('not your record', { reason: 'row_level' });
    });
    const result = await tool.execute({ text: 'x' }, { token: 'tok-viewer' });
    expect(result.decision).toMatchObject({
      outcome: 'rejected',
      code: 'forbidden',
      reason: 'row_level',
    });
  });

  it('fails closed when a stage throws instead of returning', async () => {
    const { guard } = build({
      policy: {
        kind: 'policy',
        name: 'broken',
        evaluate: () => {
          throw new Error('boom');
        },
      },
    });
    let ran = false;
    const tool = guard('echo', echoDef, () => {
      ran = true;
    });
    const result = await tool.execute({ text: 'x' }, { token: 'tok-viewer' });
    expect(!result.ok && result.error.code).toBe('internal_error');
    expect(result.decision.outcome).toBe('error');
    expect(result.decision.stage).toBe('policy');
    expect(ran).toBe(false);
  });

  it('keeps the code and reason of a GuardError a stage throws on purpose', async () => {
    const { guard } = build({
      masker: {
        kind: 'masker',
        name: 'strict',
        mask() {
          throw new PolicyDeniedError('value too large to mask', { reason: 'value_too_large' });
        },
      },
    });
    const tool = guard('echo', echoDef, () => 'x'.repeat(10));
    const result = await tool.execute({ text: 'x' }, { token: 'tok-viewer' });
    expect(result.decision).toMatchObject({
      code: 'policy_denied',
      reason: 'value_too_large',
      stage: 'mask',
    });
  });

  it('stamps the decision id on the error', async () => {
    const { guard } = build();
    const tool = guard('drop', echoDef, () => 'x');
    const error = await tool({ text: 'x' }, { token: 'tok-viewer' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardError);
    expect(isDecisionId((error as GuardError).decisionId)).toBe(true);
  });
});

describe('policies', () => {
  function withPolicy(policy: PolicyEngine) {
    const sink = memoryAuditSink();
    const guard = createGuard({
      authenticator: anonymousAuthenticator(),
      accessControl: allowAllAccess(),
      policy,
      audit: { sinks: [sink] },
    });
    return { guard, sink };
  }

  it('stops on a policy denial and records the matched policies', async () => {
    const { guard, sink } = withPolicy({
      kind: 'policy',
      name: 'p',
      evaluate: () => ({
        ok: false,
        matched: [{ id: 'no-weekend', version: 3, action: 'deny', monitor: false, decisive: true }],
        error: new PolicyDeniedError(undefined, { reason: 'no-weekend' }),
      }),
    });
    const tool = guard('echo', echoDef, () => 'ran');
    const result = await tool.execute({ text: 'x' });
    expect(!result.ok && result.error.code).toBe('policy_denied');
    await guard.flush();
    expect(sink.events[0]?.matchedPolicies).toEqual([
      { id: 'no-weekend', version: 3, action: 'deny', monitor: false, decisive: true },
    ]);
  });

  it('carries a step-up challenge', async () => {
    const { guard } = withPolicy({
      kind: 'policy',
      name: 'p',
      evaluate: () => ({
        ok: false,
        matched: [],
        error: new StepUpRequiredError({ acrValues: ['mfa'], maxAge: 300 }),
      }),
    });
    const tool = guard('echo', echoDef, () => 'ran');
    const error = await tool({ text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepUpRequiredError);
    expect((error as StepUpRequiredError).status).toBe(401);
    expect((error as StepUpRequiredError).toJSON()).toMatchObject({
      challenge: { acrValues: ['mfa'], maxAge: 300 },
    });
  });

  it('passes policy obligations to the masker and audit', async () => {
    const seen: string[][] = [];
    const masker: Masker = {
      kind: 'masker',
      name: 'm',
      mask(value, context) {
        seen.push([...context.profiles]);
        return {
          value: JSON.parse(JSON.stringify(value).replaceAll('secret', '[MASKED]')) as unknown,
          findings: { total: 1, byCategory: { TEST: 1 }, paths: ['$.text'] },
        };
      },
    };
    const sink = memoryAuditSink();
    const guard = createGuard({
      authenticator: anonymousAuthenticator(),
      accessControl: allowAllAccess(),
      policy: {
        kind: 'policy',
        name: 'p',
        evaluate: () => ({
          ok: true,
          matched: [{ id: 'gdpr', action: 'mask', monitor: false }],
          obligations: { maskProfiles: ['gdpr'] },
        }),
      },
      masker,
      audit: { sinks: [sink], recordArgs: true },
    });
    const tool = guard('echo', echoDef, ({ text }) => ({ text }));
    await expect(tool({ text: 'a secret' })).resolves.toEqual({ text: 'a [MASKED]' });
    await guard.flush();
    expect(seen).toEqual([['gdpr'], ['gdpr']]);
    expect(sink.events[0]).toMatchObject({
      obligations: { maskProfiles: ['gdpr'] },
      masking: { total: 1, byCategory: { TEST: 1 } },
      args: { text: 'a [MASKED]' },
    });
  });

  it('never returns an unmasked result when the masker fails', async () => {
    const guard = createGuard({
      authenticator: anonymousAuthenticator(),
      accessControl: allowAllAccess(),
      masker: {
        kind: 'masker',
        name: 'broken',
        mask() {
          throw new Error('detector crashed');
        },
      },
    });
    const tool = guard('echo', echoDef, () => ({ ssn: '123-45-6789' }));
    const result = await tool.execute({ text: 'x' });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('123-45-6789');
  });
});

describe('approvals', () => {
  /** A small single-use approval service implementing the core contract. */
  function approvalService() {
    const requests = new Map<
      string,
      { digest: string; tenant: string; subject: string; status: string }
    >();
    let n = 0;
    const service: ApprovalService = {
      kind: 'approvals',
      name: 'test-approvals',
      request(input) {
        const approvalId = `apr-${++n}`;
        requests.set(approvalId, {
          digest: input.argsDigest,
          tenant: input.principal.tenantId,
          subject: input.principal.subject,
          status: 'pending',
        });
        return Promise.resolve({ approvalId, expiresAt: '2030-01-01T00:00:00.000Z' });
      },
      consume(input) {
        const r = requests.get(input.approvalId);
        if (
          !r ||
          r.status !== 'approved' ||
          r.digest !== input.argsDigest ||
          r.tenant !== input.principal.tenantId ||
          r.subject !== input.principal.subject
        ) {
          return Promise.resolve(
            fail(new ApprovalInvalidError(undefined, { reason: r?.status ?? 'unknown' })),
          );
        }
        r.status = 'used';
        return Promise.resolve(ok({ approvalId: input.approvalId, receipt: 'receipt-jws' }));
      },
    };
    return { service, approve: (id: string) => (requests.get(id)!.status = 'approved') };
  }

  it('requests approval, then consumes the grant exactly once for the same args', async () => {
    const { service, approve } = approvalService();
    const sink = memoryAuditSink();
    const guard = createGuard({
      authenticator: anonymousAuthenticator(),
      accessControl: allowAllAccess(),
      policy: {
        kind: 'policy',
        name: 'p',
        evaluate: ({ args }) =>
          (args as { amount: number }).amount > 100
            ? { ok: true, matched: [], obligations: { approval: { flowId: 'payments' } } }
            : { ok: true, matched: [] },
      },
      approvals: service,
      audit: { sinks: [sink] },
    });
    const receipts: (string | undefined)[] = [];
    const transfer = guard(
      'payments.transfer',
      { input: z.object({ amount: z.number() }), operation: 'write' },
      ({ amount }, ctx) => {
        receipts.push(ctx.approval?.receipt);
        return { sent: amount };
      },
    );
    const first = await transfer.execute({ amount: 500 });
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.error.code).toBe('approval_required');
    expect(first.error.status).toBe(202);
    const approvalId = first.decision.approvalId!;
    expect(first.error.toJSON()).toMatchObject({
      approvalId,
      expiresAt: '2030-01-01T00:00:00.000Z',
    });

    // Not approved yet.
    const early = await transfer.execute({ amount: 500 }, { approvalId });
    expect(!early.ok && early.error.code).toBe('approval_invalid');

    approve(approvalId);
    // Different args: refused.
    const other = await transfer.execute({ amount: 501 }, { approvalId });
    expect(!other.ok && other.error.code).toBe('approval_invalid');
    await expect(transfer({ amount: 500 }, { approvalId })).resolves.toEqual({ sent: 500 });
    // Replay: refused.
    const replay = await transfer.execute({ amount: 500 }, { approvalId });
    expect(!replay.ok && replay.error.code).toBe('approval_invalid');
    expect(receipts).toEqual(['receipt-jws']);
    await guard.flush();
    expect(sink.events.map((e) => [e.code ?? e.outcome, e.approvalId])).toEqual([
      ['approval_required', approvalId],
      ['approval_invalid', approvalId],
      ['approval_invalid', approvalId],
      ['allowed', approvalId],
      ['approval_invalid', approvalId],
    ]);
  });
});

describe('signer slot', () => {
  it('binds a signer to the call identity', async () => {
    const identities: unknown[] = [];
    const signer: SignerProvider = {
      kind: 'signer',
      name: 'test',
      forCall(identity) {
        identities.push(identity);
        const callSigner: CallSigner = {
          sign: (request) => Promise.resolve(request),
          fetch: () => Promise.resolve(new Response('ok')),
        };
        return callSigner;
      },
    };
    const guard = createGuard({
      authenticator: anonymousAuthenticator({ tenantId: 't9', roles: ['bot'] }),
      accessControl: allowAllAccess(),
      signer,
    });
    const tool = guard('fwd', echoDef, async (_args, ctx) => {
      const response = await ctx.signer!.fetch('http://127.0.0.1:1/never-called');
      return { body: await response.text(), decisionId: ctx.decisionId };
    });
    const result = await tool({ text: 'x' });
    expect(result.body).toBe('ok');
    expect(identities).toEqual([
      {
        subject: 'anonymous',
        tenantId: 't9',
        roles: ['bot'],
        agentId: undefined,
        decisionId: result.decisionId,
        tool: 'fwd',
        approvalReceipt: undefined,
      },
    ]);
  });
});

describe('registration errors are thrown at the developer', () => {
  const guard = createGuard();
  it.each([
    ['', echoDef],
    ['has space', echoDef],
    ['x'.repeat(200), echoDef],
  ])('rejects tool name %j', (name, def) => {
    expect(() => guard(name, def, () => 1)).toThrow(GuardConfigError);
  });

  it('rejects duplicates, non-zod input and unknown operations', () => {
    guard('once', echoDef, () => 1);
    expect(() => guard('once', echoDef, () => 1)).toThrow(/already guarded/);
    expect(() =>
      guard('bad.schema', { input: {} as z.ZodString, operation: 'read' }, () => 1),
    ).toThrow(/zod schema/);
    expect(() =>
      guard('bad.op', { input: z.object({}), operation: 'update' as 'read' }, () => 1),
    ).toThrow(/operation/);
  });

  it('rejects a stage of the wrong kind', () => {
    expect(() =>
      createGuard({
        authenticator: allowAllAccess() as unknown as ReturnType<typeof anonymousAuthenticator>,
      }),
    ).toThrow(GuardConfigError);
  });
});

describe('tool listing', () => {
  it('lists only the tools the principal may call; none without access control', async () => {
    const p = principal({ roles: ['viewer'] });
    const guard = createGuard({
      authenticator: tableAuthenticator({ t: p }),
      accessControl: roleAccess({ a: ['viewer'], b: ['admin'] }),
    });
    guard('a', echoDef, () => 1);
    guard('b', echoDef, () => 1);
    expect((await guard.visibleTools(p)).map((t) => t.name)).toEqual(['a']);
    const auth = await guard.authenticate({ token: 't' });
    expect(auth.ok && auth.value.subject).toBe('user-1');
    const bare = createGuard({ authenticator: anonymousAuthenticator() });
    bare('a', echoDef, () => 1);
    expect(await bare.visibleTools(p)).toEqual([]);
  });
});
