import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ApprovalInvalidError,
  ForbiddenError,
  PolicyDeniedError,
  createGuard,
  fail,
  memoryAuditSink,
  ok,
  type AccessControl,
  type ApprovalService,
  type Authenticator,
  type AuditEvent,
  type GuardedResult,
  type Hook,
  type Masker,
  type PolicyEngine,
  type RateLimitStore,
} from '@agentguard/core';
import { principal, tableAuthenticator } from './helpers.js';

// The pipeline answers synchronously while every stage does, and continues on a promise where
// a stage returns one. These tests hold both paths to the same decisions: every scenario runs
// with every stage synchronous, with every stage asynchronous, and with each stage alone
// asynchronous, and must end the same way each time.

/** What can go wrong in a call, one stage at a time. */
const SCENARIOS = [
  'allowed',
  'unknown token',
  'authenticator throws',
  'role missing',
  'access control throws',
  'invalid input',
  'rate limited',
  'rate-limit store throws',
  'policy denies',
  'policy throws',
  'approval requested',
  'approval consumed',
  'approval refused',
  'before-hook rejects',
  'before-hook fails open',
  'before-hook fails closed',
  'signer throws',
  'handler throws',
  'handler refuses',
  'after-hook rejects',
  'masker throws',
] as const;
type Scenario = (typeof SCENARIOS)[number];

const STAGES = [
  'authenticator',
  'accessControl',
  'rateLimitStore',
  'policy',
  'approvals',
  'beforeHooks',
  'handler',
  'afterHooks',
  'masker',
] as const;
type Stage = (typeof STAGES)[number];

/** Answers `value` now, or after a turn of the event loop when the stage is asynchronous. */
function answer<T>(async: boolean, value: () => T): T | Promise<T> {
  if (!async) return value();
  return new Promise<T>((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(value());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
}

/** A guard whose stages answer synchronously except those in `async`, set up for `scenario`. */
function scenarioGuard(scenario: Scenario, async: ReadonlySet<Stage>) {
  const is = (stage: Stage) => async.has(stage);
  const table = tableAuthenticator({ 'tok-clerk': principal({ roles: ['clerk'] }) });
  const authenticator: Authenticator = {
    kind: 'authenticator',
    name: 'table',
    authenticate: (context) =>
      answer(is('authenticator'), () => {
        if (scenario === 'authenticator throws') throw new Error('directory down');
        return table.authenticate(context);
      }) as ReturnType<Authenticator['authenticate']>,
  };
  const accessControl: AccessControl = {
    kind: 'access_control',
    name: 'roles',
    authorize: (p) =>
      answer(is('accessControl'), () => {
        if (scenario === 'access control throws') throw new Error('rules unavailable');
        return scenario === 'role missing' || !p.roles.includes('clerk')
          ? fail(new ForbiddenError(undefined, { reason: 'role_missing' }))
          : ok({ matchedRules: ['clerk-orders'] });
      }),
  };
  const rateLimitStore: RateLimitStore = {
    hit: () =>
      answer(is('rateLimitStore'), () => {
        if (scenario === 'rate-limit store throws') throw new Error('store down');
        const limited = scenario === 'rate limited';
        return { allowed: !limited, remaining: limited ? 0 : 9, retryAfterMs: 0, resetMs: 60_000 };
      }),
  };
  const policy: PolicyEngine = {
    kind: 'policy',
    name: 'rules',
    evaluate: () =>
      answer(is('policy'), () => {
        if (scenario === 'policy throws') throw new Error('policy store down');
        if (scenario === 'policy denies') {
          return {
            ok: false as const,
            matched: [{ id: 'no-orders', action: 'deny', monitor: false, decisive: true }],
            error: new PolicyDeniedError(undefined, { reason: 'no-orders' }),
          };
        }
        const approval = scenario.startsWith('approval');
        return {
          ok: true as const,
          matched: [{ id: 'mask-pii', action: 'mask', monitor: false }],
          obligations: {
            maskProfiles: ['pii'],
            ...(approval ? { approval: { flowId: 'two-eyes' } } : {}),
          },
        };
      }),
  };
  // The interface types approvals as asynchronous; a synchronous answer is accepted as well.
  const approvals = {
    kind: 'approvals',
    name: 'approvals',
    request: () => answer(is('approvals'), () => ({ approvalId: 'apr-1', expiresAt: undefined })),
    consume: (input) =>
      answer(is('approvals'), () =>
        scenario === 'approval refused'
          ? fail(new ApprovalInvalidError(undefined, { reason: 'expired' }))
          : ok({ approvalId: input.approvalId, receipt: 'receipt' }),
      ),
  } as ApprovalService;
  const hook = (name: string, phase: 'before' | 'after', stage: Stage): Hook => ({
    name,
    failMode: scenario === 'before-hook fails open' ? 'open' : 'closed',
    run: () =>
      answer(is(stage), () => {
        if (scenario === `${phase}-hook rejects`) return { action: 'reject', message: 'no' };
        if (phase === 'before' && scenario.startsWith('before-hook fails')) {
          throw new Error('hook service down');
        }
        return { action: 'allow', obligations: { annotations: { [name]: 'seen' } } };
      }),
  });
  const masker: Masker = {
    kind: 'masker',
    name: 'stars',
    mask: (value) =>
      answer(is('masker'), () => {
        if (scenario === 'masker throws') throw new Error('masker bug');
        return {
          value: { ...(value as object), email: '[EMAIL]' },
          findings: { total: 1, byCategory: { EMAIL: 1 }, paths: ['$.email'] },
        };
      }),
  };
  const sink = memoryAuditSink();
  const guard = createGuard({
    authenticator,
    accessControl,
    rateLimits: [{ id: 'orders', limit: 10, windowMs: 60_000 }],
    rateLimitStore,
    policy,
    approvals,
    hooks: {
      before: [hook('ticket', 'before', 'beforeHooks')],
      after: [hook('review', 'after', 'afterHooks')],
    },
    masker,
    signer: {
      kind: 'signer',
      name: 'keys',
      forCall: () => {
        if (scenario === 'signer throws') throw new Error('key store down');
        return {
          sign: (request) => Promise.resolve(request),
          fetch: (input, init) => fetch(input, init),
        };
      },
    },
    audit: { sinks: [sink] },
  });
  const tool = guard(
    'orders.update',
    { input: z.object({ id: z.string() }), operation: 'write' },
    ({ id }) =>
      answer(is('handler'), () => {
        if (scenario === 'handler throws') throw new Error('database down');
        if (scenario === 'handler refuses') {
          throw new ForbiddenError('not your order', { reason: 'row_level' });
        }
        return { id, email: 'ada@example.com' };
      }),
  );
  const args = scenario === 'invalid input' ? { id: 42 } : { id: 'o-1' };
  const context = {
    token: scenario === 'unknown token' ? 'tok-nobody' : 'tok-clerk',
    approvalId:
      scenario === 'approval consumed' || scenario === 'approval refused' ? 'apr-1' : undefined,
  };
  return { guard, tool, sink, args, context };
}

/** What must not differ between two runs of one scenario: all but ids, times and latencies. */
function comparable(result: GuardedResult<unknown>, event: AuditEvent | undefined) {
  const { decisionId, traceId, timings, latencyMs, ...decision } = result.decision;
  expect([decisionId, traceId, latencyMs]).not.toContain(undefined);
  const { decisionId: d, traceId: t, time, latencyMs: l, timings: s, ...audited } = event!;
  expect([d, t, time, l, s]).not.toContain(undefined);
  let error: Record<string, unknown> | undefined;
  if (!result.ok) {
    const { decisionId: e, ...rest } = result.error.toJSON() as Record<string, unknown>;
    expect(e).toBe(decisionId);
    error = rest;
  }
  return {
    ok: result.ok,
    value: result.ok ? result.value : undefined,
    error,
    decision,
    stagesTimed: Object.keys(timings).sort(),
    audited,
  };
}

async function runScenario(scenario: Scenario, async: ReadonlySet<Stage>) {
  const { guard, tool, sink, args, context } = scenarioGuard(scenario, async);
  const returned = tool.run(args, context);
  const result = await returned;
  await guard.flush();
  expect(sink.events).toHaveLength(1);
  return {
    synchronous: !(returned instanceof Promise),
    seen: comparable(result, sink.events[0]),
  };
}

describe('a pipeline that answers synchronously', () => {
  it('returns the result itself from run() when every stage answers synchronously', async () => {
    for (const scenario of SCENARIOS) {
      const outcome = await runScenario(scenario, new Set());
      expect(outcome.synchronous, scenario).toBe(true);
    }
    const { seen } = await runScenario('allowed', new Set());
    expect(seen).toMatchObject({
      ok: true,
      value: { id: 'o-1', email: '[EMAIL]' },
      decision: { outcome: 'allowed', matchedRules: ['clerk-orders'] },
      stagesTimed: [
        'after_hooks',
        'authenticate',
        'authorize',
        'before_hooks',
        'handler',
        'mask',
        'policy',
        'rate_limit',
        'validate',
      ],
    });
  });

  it('decides every scenario the same whichever stages answer with a promise', async () => {
    const settings: ReadonlySet<Stage>[] = [new Set(STAGES), ...STAGES.map((s) => new Set([s]))];
    for (const scenario of SCENARIOS) {
      const baseline = await runScenario(scenario, new Set());
      for (const async of settings) {
        const outcome = await runScenario(scenario, async);
        const label = `${scenario}, async: ${[...async].join(' ')}`;
        expect(outcome.seen, label).toEqual(baseline.seen);
      }
    }
  });

  it('ends each scenario where it should, with the stage that refused', async () => {
    const ends: Record<Scenario, [string, string | undefined]> = {
      allowed: ['allowed', undefined],
      'unknown token': ['unauthenticated', 'authenticate'],
      'authenticator throws': ['internal_error', 'authenticate'],
      'role missing': ['forbidden', 'authorize'],
      'access control throws': ['internal_error', 'authorize'],
      'invalid input': ['invalid_input', 'validate'],
      'rate limited': ['rate_limited', 'rate_limit'],
      'rate-limit store throws': ['internal_error', 'rate_limit'],
      'policy denies': ['policy_denied', 'policy'],
      'policy throws': ['internal_error', 'policy'],
      'approval requested': ['approval_required', 'approval'],
      'approval consumed': ['allowed', undefined],
      'approval refused': ['approval_invalid', 'approval'],
      'before-hook rejects': ['hook_failed', 'before_hooks'],
      'before-hook fails open': ['allowed', undefined],
      'before-hook fails closed': ['hook_failed', 'before_hooks'],
      'signer throws': ['internal_error', 'handler'],
      'handler throws': ['handler_error', 'handler'],
      'handler refuses': ['forbidden', 'handler'],
      'after-hook rejects': ['hook_failed', 'after_hooks'],
      'masker throws': ['internal_error', 'mask'],
    };
    for (const scenario of SCENARIOS) {
      const { seen } = await runScenario(scenario, new Set(STAGES));
      const code = seen.ok ? 'allowed' : seen.error!['code'];
      expect([code, seen.decision.stage], scenario).toEqual(ends[scenario]);
      // A refused call never carries the handler's value; a masked one never the raw email.
      expect(JSON.stringify(seen)).not.toContain('ada@example.com');
    }
  });

  it('keeps execute() a promise, resolving to what run() answered at once', async () => {
    const { tool, args, context } = scenarioGuard('allowed', new Set());
    const now = tool.run(args, context);
    const later = tool.execute(args, context);
    expect(now).not.toBeInstanceOf(Promise);
    expect(later).toBeInstanceOf(Promise);
    const [a, b] = [now as GuardedResult<unknown>, await later];
    expect(b.ok && b.value).toEqual(a.ok && a.value);
    expect(b.decision.decisionId).not.toBe(a.decision.decisionId);
  });
});
