import { allowAllAccess, createGuard, type Authenticator } from '@agentguard/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  compileJsonLogic,
  formatStepUpChallenge,
  policiesFromConfig,
  policyEngine,
  policyOperations,
} from '../src/index.js';
import { input, MONDAY_10_UTC, principal } from './helpers/inputs.js';

const operations = policyOperations();
const rule = (r: unknown) => compileJsonLogic(r, { operations });

describe('explain', () => {
  it('shows per policy: targeted, condition value, deciding sub-condition, decisive', async () => {
    const engine = policyEngine({
      policies: [
        {
          id: 'big',
          target: { tools: ['payments.*'] },
          condition: {
            and: [
              { '==': [{ var: 'tool.operation' }, 'write'] },
              { '>': [{ var: 'args.amount' }, 1000] },
            ],
          },
          action: 'deny',
        },
        {
          id: 'night',
          condition: {
            or: [false, { '!': { time_window: [{ var: 'request.time' }, 'UTC', null, 8, 18] } }],
          },
          action: 'deny',
        },
        { id: 'off', state: 'disabled', action: 'deny' },
        { id: 'pii', action: { type: 'mask', profile: 'pii' } },
      ],
    });
    const call = input({
      tool: { name: 'payments.refund', operation: 'write' },
      args: { amount: 10 },
    });
    const explanation = await engine.explain(call);
    expect(explanation.decision).toBe('allow');
    expect(explanation.policies).toEqual([
      expect.objectContaining({
        id: 'big',
        targeted: true,
        evaluated: true,
        matched: false,
        conditionResult: false,
        decidedBy: 'and[1]',
        decisive: false,
      }),
      expect.objectContaining({
        id: 'night',
        targeted: true,
        matched: false,
        conditionResult: false,
        decidedBy: '$',
      }),
      expect.objectContaining({ id: 'off', state: 'disabled', evaluated: false, matched: false }),
      expect.objectContaining({ id: 'pii', matched: true, conditionResult: true }),
    ]);
    const denied = await engine.explain({ ...call, args: { amount: 5000 } });
    expect(denied.decision).toBe('deny');
    expect(denied.policies[0]).toMatchObject({ matched: true, decidedBy: '$', decisive: true });
    const untargeted = await engine.explain(input({ tool: { name: 'crm.read' } }));
    expect(untargeted.policies[0]).toMatchObject({ targeted: false, evaluated: false });
  });

  it('follows or / if / ! down to the deciding leaf', async () => {
    const engine = policyEngine({
      policies: [
        {
          id: 'p',
          condition: {
            or: [
              { '==': [1, 2] },
              { if: [{ var: 'args.x' }, { '!': [{ var: 'args.y' }] }, false] },
            ],
          },
          action: 'deny',
        },
      ],
    });
    const e = await engine.explain(input({ args: { x: true, y: false } }));
    expect(e.policies[0]).toMatchObject({ matched: true, decidedBy: 'or[1].if[0]' });
  });
});

describe('policy helpers', () => {
  it('cidr_match: IPv4, IPv6, lists, mapped addresses; malformed input is false', () => {
    const r = rule({ cidr_match: [{ var: 'ip' }, ['10.0.0.0/8', '2001:db8::/32']] });
    expect(r({ ip: '10.20.30.40' })).toBe(true);
    expect(r({ ip: '11.0.0.1' })).toBe(false);
    expect(r({ ip: '2001:db8::1' })).toBe(true);
    expect(r({ ip: '::ffff:10.0.0.1' })).toBe(true);
    expect(r({ ip: 'not-an-ip' })).toBe(false);
    expect(r({ ip: 42 })).toBe(false);
    expect(rule({ cidr_match: [{ var: 'ip' }, '192.168.1.7'] })({ ip: '192.168.1.7' })).toBe(true);
    expect(() => rule({ cidr_match: [{ var: 'ip' }, '10.0.0.0/33'] })).toThrow(/malformed CIDR/);
    expect(() => rule({ cidr_match: [{ var: 'ip' }, []] })).toThrow(/at least one/);
    expect(
      rule({ cidr_match: [{ var: 'ip' }, { var: 'nets' }] })({ ip: '10.0.0.1', nets: ['bad/99'] }),
    ).toBe(false);
  });

  it('country_in: case-insensitive, two-letter codes', () => {
    const r = rule({ country_in: [{ var: 'c' }, ['FR', 'de']] });
    expect(r({ c: 'fr' })).toBe(true);
    expect(r({ c: 'DE' })).toBe(true);
    expect(r({ c: 'US' })).toBe(false);
    expect(r({ c: 'FRA' })).toBe(false);
    expect(r({})).toBe(false);
    expect(() => rule({ country_in: [{ var: 'c' }, ['France']] })).toThrow(/two letters/);
  });

  it('time_window: weekdays and hours in a time zone, overnight windows', () => {
    const office = rule({
      time_window: [{ var: 't' }, 'Europe/Paris', ['mon', 'tue', 'wed', 'thu', 'fri'], 9, 18],
    });
    expect(office({ t: MONDAY_10_UTC })).toBe(true); // 11:00 in Paris
    expect(office({ t: MONDAY_10_UTC + 8 * 3_600_000 })).toBe(false); // 19:00 in Paris
    expect(office({ t: MONDAY_10_UTC - 2 * 86_400_000 })).toBe(false); // Saturday
    expect(office({ t: '2025-01-06T08:30:00Z' })).toBe(true);
    expect(office({ t: 'garbage' })).toBe(false);
    const night = rule({ time_window: [{ var: 't' }, 'UTC', null, 22, 6] });
    expect(night({ t: Date.UTC(2025, 0, 6, 23) })).toBe(true);
    expect(night({ t: Date.UTC(2025, 0, 6, 5) })).toBe(true);
    expect(night({ t: Date.UTC(2025, 0, 6, 12) })).toBe(false);
    expect(() => rule({ time_window: [1, 'Mars/Olympus', null, 1, 2] })).toThrow(/time zone/);
    expect(() => rule({ time_window: [1, 'UTC', ['someday'], 1, 2] })).toThrow(/days/);
    expect(() => rule({ time_window: [1, 'UTC', null, 1, 25] })).toThrow(/hours/);
  });

  it('string tests are plain and type-safe', () => {
    expect(rule({ starts_with: ['payments.refund', 'payments.'] })(null)).toBe(true);
    expect(rule({ ends_with: ['report.pdf', '.pdf'] })(null)).toBe(true);
    expect(rule({ contains: ['hello world', 'o w'] })(null)).toBe(true);
    expect(rule({ contains: [{ var: 'x' }, 'a'] })({ x: ['a'] })).toBe(false);
    expect(rule({ starts_with: ['(a+)+$', '(a+'] })(null)).toBe(true);
    expect(rule({ lower: ['MiXeD'] })(null)).toBe('mixed');
    expect(rule({ lower: [1] })(null)).toBeNull();
  });
});

describe('formatStepUpChallenge', () => {
  it('formats RFC 9470 authentication challenges', () => {
    expect(formatStepUpChallenge({ acrValues: ['gold', 'platinum'], maxAge: 300 })).toBe(
      'Bearer error="insufficient_user_authentication", error_description="a stronger or more recent authentication is required", acr_values="gold platinum", max_age=300',
    );
    expect(formatStepUpChallenge({ maxAge: 0 }, { realm: 'api' })).toMatch(
      /^Bearer realm="api", error="insufficient_user_authentication".*max_age=0$/,
    );
  });

  it('formats insufficient_scope challenges and strips unsafe characters', () => {
    expect(
      formatStepUpChallenge(
        { scopes: ['crm:write', 'crm:admin'] },
        { resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource' },
      ),
    ).toBe(
      'Bearer resource_metadata="https://api.example/.well-known/oauth-protected-resource", error="insufficient_scope", error_description="the token lacks a required scope", scope="crm:write crm:admin"',
    );
    const header = formatStepUpChallenge({ acrValues: ['a"b\r\nX-Injected: 1'] });
    expect(header).not.toMatch(/[\r\n]/);
    // acr values are space-separated tokens: quotes, controls and spaces inside one are dropped.
    expect(header).toContain('acr_values="abX-Injected:1"');
  });
});

describe('policiesFromConfig', () => {
  it('validates the config section with paths', () => {
    expect(policiesFromConfig(undefined)).toEqual([]);
    expect(policiesFromConfig([{ id: 'a', action: 'deny' }])).toEqual([
      { id: 'a', scope: 'global', state: 'enabled', action: 'deny' },
    ]);
    expect(() => policiesFromConfig({})).toThrow(/policies: must be a list/);
    expect(() =>
      policiesFromConfig([
        { id: 'a', action: 'deny' },
        { id: 'b', action: { type: 'mask' } },
      ]),
    ).toThrow(/policies\[1\]\.action/);
    expect(() => policiesFromConfig([{ id: 'a', action: 'deny', target: { tools: [] } }])).toThrow(
      /policies\[0\]\.target\.tools/,
    );
  });
});

describe('with createGuard', () => {
  it('denies, asks for step-up and masks through the core pipeline', async () => {
    const authenticator: Authenticator = {
      kind: 'authenticator',
      name: 'fixed',
      authenticate: (context) => ({
        ok: true,
        value: principal({ authLevel: { acr: context.token === 'strong' ? 'gold' : 'bronze' } }),
      }),
    };
    const guard = createGuard({
      authenticator,
      accessControl: allowAllAccess(),
      policy: policyEngine({
        policies: [
          {
            id: 'no-big-refunds',
            target: { tools: ['refund'] },
            condition: { '>': [{ var: 'args.amount' }, 1000] },
            action: 'deny',
          },
          {
            id: 'refund-step-up',
            target: { tools: ['refund'] },
            action: { type: 'step_up', acrValues: ['gold'] },
          },
          {
            id: 'refund-mask',
            target: { tools: ['refund'] },
            action: { type: 'mask', profile: 'pci' },
          },
        ],
      }),
    });
    const refund = guard(
      'refund',
      { input: z.object({ amount: z.number() }), operation: 'write' },
      ({ amount }, ctx) => ({
        refunded: amount,
        profiles: ctx.obligations.maskProfiles,
      }),
    );
    const big = await refund.execute({ amount: 5000 }, { token: 'strong' });
    expect(big).toMatchObject({
      ok: false,
      error: { code: 'policy_denied', reason: 'no-big-refunds' },
    });
    expect(big.decision.matchedPolicies.map((p) => p.id)).toContain('no-big-refunds');
    const weak = await refund.execute({ amount: 10 }, { token: 'weak' });
    expect(weak).toMatchObject({
      ok: false,
      error: { code: 'step_up_required', challenge: { acrValues: ['gold'] } },
    });
    const fine = await refund.execute({ amount: 10 }, { token: 'strong' });
    expect(fine).toMatchObject({ ok: true, value: { refunded: 10, profiles: ['pci'] } });
    expect(fine.decision.obligations.stepUp).toEqual({ acrValues: ['gold'] });
  });
});
