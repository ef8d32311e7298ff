import {
  PolicyDeniedError,
  StepUpRequiredError,
  type Logger,
  type PolicyOutcome,
} from '@agentguard/core';
import { describe, expect, it } from 'vitest';
import { decisionOf, policyEngine, type PolicyDefinition } from '../src/index.js';
import { input, MONDAY_10_UTC } from './helpers/inputs.js';

async function outcome(policies: PolicyDefinition[], call = input(), extra = {}) {
  return policyEngine({ policies, ...extra }).evaluate(call);
}

function errorOf(result: PolicyOutcome) {
  if (result.ok) throw new Error('expected a rejection');
  return result.error;
}

describe('actions', () => {
  it('deny rejects with policy_denied and the policy id as reason', async () => {
    const result = await outcome([{ id: 'no-delete', action: 'deny' }]);
    const error = errorOf(result);
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error.reason).toBe('no-delete');
    expect(result.matched).toEqual([
      {
        id: 'no-delete',
        version: undefined,
        action: 'deny',
        scope: 'global',
        monitor: false,
        decisive: true,
      },
    ]);
  });

  it('a policy whose condition is false does not match', async () => {
    const result = await outcome(
      [
        {
          id: 'admins-only',
          condition: { '!': { in: ['admin', { var: 'principal.roles' }] } },
          action: 'deny',
        },
      ],
      input({ principal: { roles: ['admin'] } }),
    );
    expect(result).toEqual({ ok: true, matched: [] });
  });

  it('allow lifts the default deny when defaultDecision is deny', async () => {
    const policies: PolicyDefinition[] = [
      { id: 'readers', target: { operations: ['read'] }, action: { type: 'allow' } },
    ];
    const engine = policyEngine({ policies, defaultDecision: 'deny' });
    const allowed = await engine.evaluate(input());
    expect(allowed.ok).toBe(true);
    expect(allowed.matched[0]).toMatchObject({ id: 'readers', decisive: true });
    const denied = await engine.evaluate(
      input({ tool: { name: 'crm.delete', operation: 'delete' } }),
    );
    expect(errorOf(denied).reason).toBe('no_policy_allows');
  });

  it('require_approval adds the approval obligation', async () => {
    const result = await outcome(
      [
        {
          id: 'big-refund',
          condition: { '>': [{ var: 'args.amount' }, 1000] },
          action: { type: 'require_approval', flowId: 'finance' },
        },
      ],
      input({ args: { amount: 5000 } }),
    );
    expect(result).toMatchObject({
      ok: true,
      obligations: { approval: { flowId: 'finance', policyId: 'big-refund' } },
    });
    expect(decisionOf(result)).toBe('require_approval');
  });

  it('mask adds masking profiles, deduplicated and in order', async () => {
    const result = await outcome([
      { id: 'm1', action: { type: 'mask', profile: 'pii' } },
      { id: 'm2', action: { type: 'mask', profile: 'pci' } },
      { id: 'm3', action: { type: 'mask', profile: 'pii' } },
    ]);
    expect(result).toMatchObject({ ok: true, obligations: { maskProfiles: ['pii', 'pci'] } });
  });

  describe('step_up', () => {
    const acr: PolicyDefinition = {
      id: 'strong-auth',
      action: { type: 'step_up', acrValues: ['gold', 'platinum'], maxAge: 300 },
    };

    it('rejects with the RFC 9470 challenge when the acr is insufficient', async () => {
      const result = await outcome(
        [acr],
        input({ principal: { authLevel: { acr: 'bronze', authTime: MONDAY_10_UTC / 1000 } } }),
      );
      const error = errorOf(result);
      expect(error).toBeInstanceOf(StepUpRequiredError);
      expect((error as StepUpRequiredError).challenge).toEqual({
        acrValues: ['gold', 'platinum'],
        maxAge: 300,
      });
      expect(error.reason).toBe('strong-auth');
      expect(decisionOf(result)).toBe('step_up');
    });

    it('rejects when the authentication is too old or its time unknown', async () => {
      const old = await outcome(
        [acr],
        input({ principal: { authLevel: { acr: 'gold', authTime: MONDAY_10_UTC / 1000 - 301 } } }),
      );
      expect(errorOf(old).code).toBe('step_up_required');
      const unknown = await outcome([acr], input({ principal: { authLevel: { acr: 'gold' } } }));
      expect(errorOf(unknown).code).toBe('step_up_required');
    });

    it('records a met requirement in obligations.stepUp', async () => {
      const result = await outcome(
        [acr],
        input({
          principal: { authLevel: { acr: 'platinum', authTime: MONDAY_10_UTC / 1000 - 10 } },
        }),
      );
      expect(result).toMatchObject({
        ok: true,
        obligations: { stepUp: { acrValues: ['gold', 'platinum'], maxAge: 300 } },
      });
    });

    it('asks for missing scopes (insufficient_scope)', async () => {
      const policies: PolicyDefinition[] = [
        { id: 'write-scope', action: { type: 'step_up', scopes: ['crm:write', 'crm:admin'] } },
      ];
      const missing = await outcome(policies, input({ principal: { scopes: ['crm:write'] } }));
      expect((errorOf(missing) as StepUpRequiredError).challenge).toEqual({
        scopes: ['crm:write', 'crm:admin'],
      });
      const held = await outcome(
        policies,
        input({ principal: { scopes: ['crm:admin', 'crm:write'] } }),
      );
      expect(held.ok).toBe(true);
    });

    it('merges several requirements: acr values intersect, smallest max_age, scopes add up', async () => {
      const result = await outcome(
        [
          { id: 'a', action: { type: 'step_up', acrValues: ['gold', 'platinum'], maxAge: 600 } },
          { id: 'b', action: { type: 'step_up', acrValues: ['platinum'], maxAge: 60 } },
        ],
        input({ principal: { authLevel: { acr: 'gold', authTime: MONDAY_10_UTC / 1000 } } }),
      );
      expect((errorOf(result) as StepUpRequiredError).challenge).toEqual({
        acrValues: ['platinum'],
        maxAge: 60,
      });
    });

    it('refuses a step_up without requirement, or mixing authentication and scopes', () => {
      expect(() => policyEngine({ policies: [{ id: 'x', action: { type: 'step_up' } }] })).toThrow(
        /policies\[0\]\.action/,
      );
      expect(() =>
        policyEngine({
          policies: [{ id: 'x', action: { type: 'step_up', maxAge: 1, scopes: ['a'] } }],
        }),
      ).toThrow(/either for authentication/);
    });
  });
});

describe('combination', () => {
  const all: PolicyDefinition[] = [
    { id: 'allow-all', action: 'allow' },
    { id: 'approve', action: { type: 'require_approval', flowId: 'f1' } },
    { id: 'mask', action: { type: 'mask', profile: 'pii' } },
    { id: 'step', action: { type: 'step_up', acrValues: ['gold'] } },
    { id: 'deny', action: 'deny' },
  ];

  it('deny beats step-up, approval and allow, whatever the order', async () => {
    for (const policies of [all, [...all].reverse()]) {
      const result = await outcome(policies);
      expect(errorOf(result).reason).toBe('deny');
      expect(result.matched).toHaveLength(5);
      expect(result.matched.filter((m) => m.decisive).map((m) => m.id)).toEqual(['deny']);
    }
  });

  it('an unmet step-up beats approval and allow', async () => {
    const result = await outcome(all.filter((p) => p.id !== 'deny'));
    expect(errorOf(result).code).toBe('step_up_required');
  });

  it('approval beats allow; obligations accumulate', async () => {
    const result = await outcome(
      all.filter((p) => p.id !== 'deny'),
      input({ principal: { authLevel: { acr: 'gold' } } }),
    );
    expect(result).toEqual({
      ok: true,
      matched: expect.any(Array),
      obligations: {
        maskProfiles: ['pii'],
        stepUp: { acrValues: ['gold'] },
        approval: { flowId: 'f1', policyId: 'approve' },
      },
    });
    expect(result.matched.find((m) => m.decisive)?.id).toBe('approve');
  });

  it('the first matching approval flow wins', async () => {
    const result = await outcome([
      { id: 'a1', action: { type: 'require_approval', flowId: 'first' } },
      { id: 'a2', action: { type: 'require_approval', flowId: 'second' } },
    ]);
    expect(result).toMatchObject({
      obligations: { approval: { flowId: 'first', policyId: 'a1' } },
    });
  });
});

describe('states', () => {
  it('monitor policies are recorded as "would have" and never enforced', async () => {
    const result = await outcome([
      { id: 'would-deny', state: 'monitor', action: 'deny' },
      { id: 'would-step-up', state: 'monitor', action: { type: 'step_up', acrValues: ['gold'] } },
      { id: 'would-mask', state: 'monitor', action: { type: 'mask', profile: 'pii' } },
    ]);
    expect(result).toEqual({
      ok: true,
      matched: [
        {
          id: 'would-deny',
          version: undefined,
          action: 'deny',
          scope: 'global',
          monitor: true,
          decisive: false,
        },
        {
          id: 'would-step-up',
          version: undefined,
          action: 'step_up',
          scope: 'global',
          monitor: true,
          decisive: false,
        },
        {
          id: 'would-mask',
          version: undefined,
          action: 'mask',
          scope: 'global',
          monitor: true,
          decisive: false,
        },
      ],
    });
  });

  it('disabled policies are skipped, even when their condition would throw', async () => {
    const result = await outcome(
      [
        {
          id: 'off',
          state: 'disabled',
          condition: { in: ['a', { var: 'args.obj' }] },
          action: 'deny',
        },
      ],
      input({ args: { obj: { indexOf: 1 } } }),
    );
    expect(result).toEqual({ ok: true, matched: [] });
  });
});

describe('targets', () => {
  const policies: PolicyDefinition[] = [
    { id: 'by-name', target: { tools: ['payments.*'] }, action: { type: 'mask', profile: 'a' } },
    { id: 'by-tag', target: { tags: ['pii'] }, action: { type: 'mask', profile: 'b' } },
    { id: 'by-op', target: { operations: ['delete'] }, action: { type: 'mask', profile: 'c' } },
    {
      id: 'all-of',
      target: { tools: ['payments.refund'], operations: ['write'], tags: ['money'] },
      action: { type: 'mask', profile: 'd' },
    },
  ];

  it('matches names, globs, tags and operation kinds; every given field must match', async () => {
    const engine = policyEngine({ policies });
    const ids = async (t: Parameters<typeof input>[0]) =>
      (await engine.evaluate(input(t))).matched.map((m) => m.id);
    expect(
      await ids({ tool: { name: 'payments.refund', operation: 'write', tags: ['money'] } }),
    ).toEqual(['by-name', 'all-of']);
    expect(
      await ids({ tool: { name: 'payments.refund', operation: 'read', tags: ['money'] } }),
    ).toEqual(['by-name']);
    expect(await ids({ tool: { name: 'crm.get', tags: ['pii'] } })).toEqual(['by-tag']);
    expect(await ids({ tool: { name: 'crm.erase', operation: 'delete' } })).toEqual(['by-op']);
    expect(await ids({ tool: { name: 'crm.get' } })).toEqual([]);
  });
});

describe('evaluation context', () => {
  it('exposes principal, tool, args and request facts', async () => {
    const condition = {
      and: [
        { '==': [{ var: 'principal.subject' }, 'user-1'] },
        { '==': [{ var: 'principal.tenant' }, 'acme'] },
        { '==': [{ var: 'principal.agent.riskTier' }, 'high'] },
        { '==': [{ var: 'principal.acr' }, 'silver'] },
        { in: ['otp', { var: 'principal.amr' }] },
        { '==': [{ var: 'tool.name' }, 'crm.read'] },
        { '==': [{ var: 'tool.annotations.readOnlyHint' }, true] },
        { '==': [{ var: 'args.id' }, 'c-1'] },
        { '==': [{ var: 'request.time' }, MONDAY_10_UTC] },
        { cidr_match: [{ var: 'request.ip' }, '10.0.0.0/8'] },
        { country_in: [{ var: 'request.country' }, ['FR', 'DE']] },
        { starts_with: [{ var: 'request.userAgent' }, 'agent/'] },
      ],
    };
    const result = await outcome(
      [{ id: 'ctx', condition, action: 'deny' }],
      input({
        principal: {
          agent: { id: 'bot', riskTier: 'high' },
          authLevel: { acr: 'silver', amr: ['pwd', 'otp'] },
        },
        tool: { annotations: { readOnlyHint: true } },
        args: { id: 'c-1' },
        context: { ip: '10.1.2.3', country: 'fr', userAgent: 'agent/1.0' },
      }),
    );
    expect(errorOf(result).reason).toBe('ctx');
  });

  it('absent facts are absent: var defaults and missing apply', async () => {
    const result = await outcome([
      {
        id: 'no-agent',
        condition: {
          and: [
            { '==': [{ var: ['principal.agent.riskTier', 'none'] }, 'none'] },
            { missing: ['request.ip', 'principal.acr'] },
          ],
        },
        action: 'deny',
      },
    ]);
    expect(errorOf(result).reason).toBe('no-agent');
  });
});

describe('failures', () => {
  it('a condition that throws fails closed and is logged without values', async () => {
    const logged: unknown[] = [];
    const logger: Logger = { warn() {}, error: (m, f) => logged.push([m, f]) };
    const result = await outcome(
      [{ id: 'bad', condition: { in: ['a', { var: 'args.obj' }] }, action: 'allow' }],
      input({ args: { obj: { indexOf: 'secret-value' } } }),
      { logger },
    );
    expect(errorOf(result).reason).toBe('policy_error');
    expect(result.matched[0]).toMatchObject({ id: 'bad', decisive: true });
    expect(JSON.stringify(logged)).not.toContain('secret-value');
    expect(logged).toEqual([
      ['policy condition failed', { policyId: 'bad', scope: 'global', monitor: false }],
    ]);
  });

  it('a monitor condition that throws is recorded, not enforced', async () => {
    const result = await outcome(
      [
        {
          id: 'bad',
          state: 'monitor',
          condition: { in: ['a', { var: 'args.obj' }] },
          action: 'deny',
        },
      ],
      input({ args: { obj: { indexOf: 1 } } }),
    );
    expect(result.ok).toBe(true);
    expect(result.matched[0]).toMatchObject({ id: 'bad', monitor: true });
  });

  it('rejects invalid policies at construction with a path', () => {
    expect(() =>
      policyEngine({ policies: [{ id: 'x', action: 'deny', extra: 1 } as never] }),
    ).toThrow(/policies\[0\]/);
    expect(() =>
      policyEngine({ policies: [{ id: 'x', action: { type: 'require_approval' } } as never] }),
    ).toThrow(/policies\[0\]\.action/);
    expect(() =>
      policyEngine({
        policies: [
          { id: 'x', action: 'deny' },
          { id: 'x', action: 'allow' },
        ],
      }),
    ).toThrow(/policies\[1\]\.id: duplicate/);
    expect(() =>
      policyEngine({
        policies: [{ id: 'x', condition: { and: [true, { regex: ['a', 'b'] }] }, action: 'deny' }],
      }),
    ).toThrow('policies[0].condition.and[1]: unknown operator "regex"');
    expect(() => policyEngine({ defaultDecision: 'maybe' as never })).toThrow(/defaultDecision/);
  });
});
