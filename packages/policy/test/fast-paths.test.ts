// Differential tests of the fast paths: boolean-context evaluation against json-logic-js,
// conditions reading the call input directly against the general path on the evaluation
// context, and the engine's decisions against a plain reference implementation.
import { isDeepStrictEqual } from 'node:util';
import type { PolicyInput, PolicyOutcome, StepUpChallenge, ToolInfo } from '@agentguard/core';
import jsonLogic from 'json-logic-js';
import { describe, expect, it } from 'vitest';
import {
  compileJsonLogic,
  evaluationContext,
  policyEngine,
  policyOperations,
  type PolicyDefinition,
} from '../src/index.js';
import { compileRule, compileRuleTest, type CompilerSettings } from '../src/lib/compiler.js';
import { INPUT_ACCESS } from '../src/lib/context-paths.js';
import { mergeRequirements, stepUpMet } from '../src/lib/decide.js';
import { generator, type Generator } from './helpers/random-rules.js';

type Result = { ok: true; value: unknown } | { ok: false };

function run(fn: () => unknown): Result {
  try {
    return { ok: true, value: fn() };
  } catch {
    return { ok: false };
  }
}

function same(a: Result, b: Result): boolean {
  return a.ok === b.ok && (!a.ok || (b.ok && isDeepStrictEqual(a.value, b.value)));
}

const LIMITS: CompilerSettings = { maxDepth: 64, maxNodes: 10_000 };

// Every kind of path the evaluation context has: known facts, whole objects, absent facts,
// data below a fact, inherited names, the whole context.
const CONTEXT_PATHS = [
  '',
  'principal',
  'principal.subject',
  'principal.tenant',
  'principal.roles',
  'principal.roles.0',
  'principal.roles.length',
  'principal.permissions',
  'principal.scopes',
  'principal.agent',
  'principal.agent.id',
  'principal.agent.id.length',
  'principal.agent.sponsor',
  'principal.agent.riskTier',
  'principal.acr',
  'principal.amr',
  'principal.amr.0',
  'principal.authTime',
  'principal.claims',
  'principal.toString',
  'tool',
  'tool.name',
  'tool.operation',
  'tool.tags',
  'tool.tags.1',
  'tool.sensitivity',
  'tool.annotations',
  'tool.annotations.readOnlyHint',
  'request',
  'request.time',
  'request.ip',
  'request.country',
  'request.userAgent',
  'request.headers',
  'args',
  'args.a',
  'args.a.b',
  'args.arr',
  'args.arr.0',
  'args.arr.length',
  'args.s.length',
  'args.x.a.b',
  'args.toString',
  'args.0',
  'nothing',
  'toString',
];
const CONTEXT_LISTS = ['principal.roles', 'principal.amr', 'tool.tags', 'args.arr', 'args', 'x'];

function pickFrom<T>(gen: Generator, items: readonly T[]): T {
  return items[Math.floor(gen.random() * items.length)]!;
}

// Half frozen, as core registers them: the engine then folds the tool's facts into conditions.
function randomTool(gen: Generator): ToolInfo {
  const tool: ToolInfo = {
    name: pickFrom(gen, ['crm.read', 'a', 'payments.refund']),
    operation: pickFrom(gen, ['read', 'write', 'delete'] as const),
    annotations: gen.random() < 0.5 ? { readOnlyHint: true } : {},
    tags: ['pii', 'a', 'b'].filter(() => gen.random() < 0.5),
    sensitivity: pickFrom(gen, ['public', 'internal'] as const),
  };
  if (gen.random() < 0.5) return tool;
  Object.freeze(tool.tags);
  return Object.freeze(tool);
}

function randomInput(gen: Generator): PolicyInput {
  const maybe = <T>(value: T): T | undefined => (gen.random() < 0.5 ? value : undefined);
  const roles = ['admin', 'agent', 'support', 'a', '1'].filter(() => gen.random() < 0.4);
  const agent = maybe({
    id: pickFrom(gen, ['bot', 'abc', '']),
    ...(gen.random() < 0.5 ? { sponsor: 'alice' } : {}),
    ...(gen.random() < 0.5 ? { riskTier: pickFrom(gen, ['low', 'high', 'a']) } : {}),
  });
  const acr = maybe(pickFrom(gen, ['urn:mfa', 'a', '0']));
  const amr = maybe(['pwd', 'mfa'].filter(() => gen.random() < 0.5));
  const authTime = maybe(pickFrom(gen, [0, 1, 1_736_157_000]));
  const args = gen.random() < 0.6 ? gen.data(0) : { a: gen.data(1), arr: gen.data(1) };
  return {
    principal: {
      subject: pickFrom(gen, ['u1', 'abc', '']),
      tenantId: pickFrom(gen, ['acme', 'globex']),
      roles,
      permissions: roles.slice(1),
      scopes: gen.random() < 0.5 ? ['read'] : [],
      ...(agent ? { agent } : {}),
      authLevel: {
        ...(acr !== undefined ? { acr } : {}),
        ...(amr !== undefined ? { amr } : {}),
        ...(authTime !== undefined ? { authTime } : {}),
      },
      claims: { secret: 'never-read' },
      authenticatedBy: 'test',
    },
    tool: randomTool(gen),
    args,
    context: {
      ...(gen.random() < 0.5 ? { ip: pickFrom(gen, ['10.1.2.3', 'a']) } : {}),
      ...(gen.random() < 0.5 ? { country: pickFrom(gen, ['FR', 'a', '1']) } : {}),
      ...(gen.random() < 0.3 ? { userAgent: 'ua' } : {}),
      headers: { authorization: 'Bearer secret' },
    },
    now: pickFrom(gen, [0, 1, 1_736_157_600_000]),
  };
}

describe('boolean-context evaluation', () => {
  it.each([11, 12, 13])(
    'equals json-logic-js truthiness on 1,000 random rules x 3 data (seed %i)',
    (seed) => {
      const gen = generator(seed);
      const mismatches: string[] = [];
      let compared = 0;
      for (let i = 0; i < 1000; i += 1) {
        const rule = gen.rule();
        const test = compileRuleTest(rule, LIMITS);
        for (let j = 0; j < 3; j += 1) {
          const data = gen.data();
          const expected = run(() => jsonLogic.truthy(jsonLogic.apply(rule as never, data)));
          const actual = run(() => test(data));
          compared += 1;
          if (!same(expected, actual) && mismatches.length < 5) {
            mismatches.push(JSON.stringify({ rule, data, expected, actual }));
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(compared).toBe(3000);
    },
  );

  it('short-circuits like the value form: the same operands run', () => {
    const rule = {
      and: [
        { '==': [{ var: 'a' }, 1] },
        { in: ['x', { var: 'list' }] },
        { '>': [{ var: 'n' }, 2] },
      ],
    };
    const test = compileRuleTest(rule, LIMITS);
    // `in` on an object with an own indexOf throws in json-logic-js, and here.
    const hostile = { a: 1, list: { indexOf: 1 }, n: 3 };
    expect(() => test(hostile)).toThrow();
    expect(test({ a: 2, list: { indexOf: 1 }, n: 3 })).toBe(false);
    expect(test({ a: 1, list: ['x'], n: 3 })).toBe(true);
    expect(test({ a: 1, list: 'axe', n: 2 })).toBe(false);
  });

  it('compares with constants on either side, with var defaults', () => {
    const cases: [unknown, unknown][] = [
      [{ '<': [5, { var: 'n' }] }, { n: 6 }],
      [{ '<': [5, { var: 'n' }] }, {}],
      [{ '<': [{ var: 'n' }, 5] }, {}],
      [{ '<=': [{ var: ['n', 7] }, 5] }, {}],
      [{ '>=': [null, { var: 'n' }] }, {}],
      [{ '==': [null, { var: 'n' }] }, {}],
      [{ '===': [{ var: 'n' }, null] }, {}],
      [{ '!==': [{ var: ['n', 0] }, 0] }, {}],
      [{ '!=': [{ var: ['n', 'x'] }, 'x'] }, {}],
      [{ '==': [{ var: 'n' }, '1'] }, { n: 1 }],
      [{ '>': ['10', { var: 'n' }] }, { n: '9' }],
      [{ in: [1, { var: 'n' }] }, { n: [1, 2] }],
      [{ in: [1, { var: 'n' }] }, { n: '21' }],
      [{ in: ['b', { var: ['n', 'abc'] }] }, {}],
      [{ in: [{ var: 'n' }, ['a', 1, null]] }, { n: null }],
      [{ in: [{ var: 'n' }, ['a', 1, null]] }, {}],
    ];
    for (const [rule, data] of cases) {
      const expected = jsonLogic.apply(rule as never, data);
      expect(compileJsonLogic(rule)(data), JSON.stringify(rule)).toBe(expected);
      expect(compileRuleTest(rule, LIMITS)(data), JSON.stringify(rule)).toBe(
        jsonLogic.truthy(expected),
      );
    }
  });
});

describe('conditions reading the call input directly', () => {
  it.each([21, 22, 23, 24])(
    'equal the general path on the evaluation context: 1,000 rules x 3 inputs (seed %i)',
    (seed) => {
      const gen = generator(seed, { paths: CONTEXT_PATHS, lists: CONTEXT_LISTS });
      const mismatches: string[] = [];
      let found = 0;
      for (let i = 0; i < 1000; i += 1) {
        const rule = gen.rule();
        const general = compileRule(rule, LIMITS);
        const direct = compileRule(rule, { ...LIMITS, root: INPUT_ACCESS });
        const directTest = compileRuleTest(rule, { ...LIMITS, root: INPUT_ACCESS });
        for (let j = 0; j < 3; j += 1) {
          const input = randomInput(gen);
          const expected = run(() => general(evaluationContext(input)));
          const actual = run(() => direct(input));
          const actualTest = run(() => directTest(input));
          const expectedTest: Result = expected.ok
            ? { ok: true, value: jsonLogic.truthy(expected.value) }
            : { ok: false };
          if (expected.ok && expected.value !== null) found += 1;
          if (
            (!same(expected, actual) || !same(expectedTest, actualTest)) &&
            mismatches.length < 5
          ) {
            mismatches.push(JSON.stringify({ rule, input, expected, actual, actualTest }));
          }
        }
      }
      expect(mismatches).toEqual([]);
      // The rules do read facts (not only absent ones).
      expect(found).toBeGreaterThan(1000);
    },
  );

  it('fused leaves (fact == constant, constant in fact) equal the general form', () => {
    const gen = generator(8);
    const inputs = Array.from({ length: 40 }, () => randomInput(gen));
    const constants = [null, 0, 1, '1', '', 'a', 'FR', 'admin', 'mfa', 'pii', 'crm.read', true];
    const mismatches: string[] = [];
    for (const path of CONTEXT_PATHS) {
      for (const k of constants) {
        const rules = [
          { '==': [{ var: path }, k] },
          { '==': [k, { var: path }] },
          { in: [k, { var: path }] },
        ];
        for (const rule of rules) {
          const general = compileRule(rule, LIMITS);
          const direct = compileRuleTest(rule, { ...LIMITS, root: INPUT_ACCESS });
          for (const input of inputs) {
            const expected = run(() => jsonLogic.truthy(general(evaluationContext(input))));
            const actual = run(() => direct(input));
            if (!same(expected, actual) && mismatches.length < 5) {
              mismatches.push(JSON.stringify({ rule, expected, actual }));
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('never hands the call input (claims, headers) to a rule', () => {
    const gen = generator(5, { paths: CONTEXT_PATHS });
    const input = randomInput(gen);
    const whole = compileRule({ var: '' }, { ...LIMITS, root: INPUT_ACCESS })(input);
    expect(whole).toEqual(evaluationContext(input));
    for (const path of ['principal.claims', 'request.headers', 'claims', 'context']) {
      expect(compileRule({ var: path }, { ...LIMITS, root: INPUT_ACCESS })(input)).toBeNull();
    }
    const missing = compileRule(
      { missing: ['principal.claims', 'tool.name'] },
      {
        ...LIMITS,
        root: INPUT_ACCESS,
      },
    )(input);
    expect(missing).toEqual(['principal.claims']);
  });

  it('scoped logic reads the current item, never the call', () => {
    const rule = { some: [{ var: 'args.items' }, { '==': [{ var: 'tool.name' }, 'x'] }] };
    const input = randomInput(generator(6));
    const withItems = { ...input, args: { items: [{ tool: { name: 'x' } }, 'y'] } };
    const direct = compileRuleTest(rule, { ...LIMITS, root: INPUT_ACCESS });
    expect(direct(withItems)).toBe(true);
    expect(direct({ ...withItems, args: { items: ['x', 1, null] } })).toBe(false);
  });
});

// A plain reference: builds the context, evaluates each targeted policy's condition with the
// general compiler, then applies the documented combination.
interface RefPolicy {
  readonly def: PolicyDefinition;
  readonly holds: ((data: unknown) => unknown) | undefined;
}

function reference(
  policies: readonly RefPolicy[],
  input: PolicyInput,
  defaultDecision: 'allow' | 'deny',
): { ok: boolean; reason: string | undefined; matched: unknown[]; obligations: unknown } {
  const context = evaluationContext(input);
  const hits: { def: PolicyDefinition; failed: boolean }[] = [];
  const ordered = [
    ...policies.filter((p) => (p.def.scope ?? 'global') === 'global'),
    ...policies.filter((p) => p.def.scope === input.principal.tenantId),
  ];
  for (const p of ordered) {
    if (p.def.state === 'disabled') continue;
    const targetTools = p.def.target?.tools;
    if (targetTools && !targetTools.includes(input.tool.name)) continue;
    let failed = false;
    if (p.holds) {
      try {
        if (!jsonLogic.truthy(p.holds(context))) continue;
      } catch {
        failed = true;
      }
    }
    hits.push({ def: p.def, failed });
  }
  const enforced = hits.filter((h) => h.def.state !== 'monitor');
  const type = (d: PolicyDefinition): string =>
    typeof d.action === 'string' ? d.action : d.action.type;
  const failed = enforced.find((h) => h.failed);
  const live = enforced.filter((h) => !h.failed);
  const deny = live.find((h) => type(h.def) === 'deny');
  const stepUps = live.filter((h) => type(h.def) === 'step_up');
  const requirementOf = (d: PolicyDefinition): StepUpChallenge => {
    const a = d.action as { acrValues?: string[]; maxAge?: number; scopes?: string[] };
    return {
      ...(a.acrValues ? { acrValues: a.acrValues } : {}),
      ...(a.maxAge !== undefined ? { maxAge: a.maxAge } : {}),
      ...(a.scopes ? { scopes: a.scopes } : {}),
    };
  };
  const unmet = stepUps.find((h) => !stepUpMet(requirementOf(h.def), input.principal, input.now));
  const approval = live.find((h) => type(h.def) === 'require_approval');
  const globalAllow = live.find(
    (h) => type(h.def) === 'allow' && (h.def.scope ?? 'global') === 'global',
  );
  const decisive = failed ?? deny ?? unmet ?? approval ?? globalAllow;
  const matched = hits.map((h) => ({
    id: h.def.id,
    version: undefined,
    action: type(h.def),
    scope: h.def.scope ?? 'global',
    monitor: h.def.state === 'monitor',
    decisive: h === decisive,
  }));
  const masks = [
    ...new Set(
      live
        .filter((h) => type(h.def) === 'mask')
        .map((h) => (h.def.action as { profile: string }).profile),
    ),
  ];
  const requirement =
    stepUps.length > 0 ? mergeRequirements(stepUps.map((h) => requirementOf(h.def))) : undefined;
  if (failed) return { ok: false, reason: 'policy_error', matched, obligations: undefined };
  if (deny) return { ok: false, reason: deny.def.id, matched, obligations: undefined };
  if (unmet) return { ok: false, reason: unmet.def.id, matched, obligations: undefined };
  if (defaultDecision === 'deny' && !globalAllow) {
    return { ok: false, reason: 'no_policy_allows', matched, obligations: undefined };
  }
  const obligations =
    masks.length > 0 || requirement || approval
      ? {
          ...(masks.length > 0 ? { maskProfiles: masks } : {}),
          ...(requirement ? { stepUp: requirement } : {}),
          ...(approval
            ? {
                approval: {
                  flowId: (approval.def.action as { flowId: string }).flowId,
                  policyId: approval.def.id,
                },
              }
            : {}),
        }
      : undefined;
  return { ok: true, reason: undefined, matched, obligations };
}

const COMMON_TESTS: readonly unknown[] = [
  { in: ['admin', { var: 'principal.roles' }] },
  { '==': [{ var: 'tool.name' }, 'crm.read'] },
  { '!': { in: ['pii', { var: 'tool.tags' }] } },
  { '>': [{ var: 'args.a' }, 1] },
  { var: 'args.arr' },
  { or: [{ var: 'args.s' }, { '*': [] }] },
];

function randomPolicies(gen: Generator, count: number): PolicyDefinition[] {
  const actions: PolicyDefinition['action'][] = [
    'deny',
    'allow',
    'allow',
    { type: 'mask', profile: 'pii' },
    { type: 'mask', profile: 'secrets' },
    { type: 'require_approval', flowId: 'finance' },
    { type: 'step_up', acrValues: ['urn:mfa'] },
    { type: 'step_up', scopes: ['read'] },
  ];
  return Array.from({ length: count }, (_, i) => {
    const r = gen.random();
    // Some without a condition, some always true, some that throw (`*` of nothing), some with
    // tests in common with other policies (run once per call).
    const condition =
      r < 0.15
        ? undefined
        : r < 0.3
          ? { '==': [1, 1] }
          : r < 0.35
            ? { or: [{ var: 'args.a' }, { '*': [] }] }
            : r < 0.6
              ? { and: [pickFrom(gen, COMMON_TESTS), pickFrom(gen, COMMON_TESTS), gen.rule(3)] }
              : gen.rule(2);
    return {
      id: `p${i}`,
      ...(gen.random() < 0.3 ? { scope: pickFrom(gen, ['acme', 'globex']) } : {}),
      ...(gen.random() < 0.2 ? { state: pickFrom(gen, ['monitor', 'disabled'] as const) } : {}),
      ...(gen.random() < 0.3 ? { target: { tools: [pickFrom(gen, ['crm.read', 'a'])] } } : {}),
      ...(condition !== undefined ? { condition } : {}),
      action: pickFrom(gen, actions),
    };
  });
}

describe('engine decisions', () => {
  it.each([31, 32, 33])(
    'equal a plain reference on 100 random policy sets x 20 inputs (seed %i)',
    (seed) => {
      const gen = generator(seed, { paths: CONTEXT_PATHS, lists: CONTEXT_LISTS });
      const mismatches: string[] = [];
      const outcomes = new Set<string>();
      for (let s = 0; s < 100; s += 1) {
        const definitions = randomPolicies(gen, 1 + Math.floor(gen.random() * 12));
        const defaultDecision = gen.random() < 0.5 ? 'allow' : 'deny';
        const engine = policyEngine({ policies: definitions, defaultDecision });
        const operations = policyOperations();
        const policies: RefPolicy[] = definitions.map((def) => ({
          def,
          holds:
            def.condition === undefined
              ? undefined
              : compileJsonLogic(def.condition, { operations }),
        }));
        for (let j = 0; j < 20; j += 1) {
          const input = randomInput(gen);
          const outcome = engine.evaluate(input) as PolicyOutcome;
          const expected = reference(policies, input, defaultDecision);
          const actual = {
            ok: outcome.ok,
            reason: outcome.ok ? undefined : outcome.error.reason,
            matched: outcome.matched.map((m) => ({ ...m })),
            obligations: outcome.ok ? outcome.obligations : undefined,
          };
          const reason = /^p\d+$/.test(actual.reason ?? '') ? 'p' : actual.reason;
          outcomes.add(`${actual.ok}:${reason}`);
          if (!isDeepStrictEqual(actual, expected) && mismatches.length < 3) {
            mismatches.push(JSON.stringify({ definitions, input, expected, actual }));
          }
        }
      }
      expect(mismatches).toEqual([]);
      // Allows, policy denials, policy errors and default denials all occur.
      expect(outcomes).toContain('true:undefined');
      expect(outcomes).toContain('false:p');
      expect(outcomes).toContain('false:policy_error');
    },
  );

  it('gives every call its own matched list and error', () => {
    const engine = policyEngine({
      policies: [{ id: 'no', condition: { '==': [{ var: 'args.x' }, 1] }, action: 'deny' }],
    });
    const input = randomInput(generator(7));
    const a = engine.evaluate({ ...input, args: { x: 1 } }) as PolicyOutcome;
    const b = engine.evaluate({ ...input, args: { x: 1 } }) as PolicyOutcome;
    expect(a.ok || b.ok).toBe(false);
    if (a.ok || b.ok) return;
    expect(a.error).not.toBe(b.error);
    expect(a.matched).not.toBe(b.matched);
    expect(a.matched).toEqual(b.matched);
    expect(Object.isFrozen(a.matched[0])).toBe(true);
  });
});

describe('conditions specialised per tool', () => {
  const policies: PolicyDefinition[] = [
    {
      id: 'crm-only',
      condition: { and: [{ '==': [{ var: 'tool.name' }, 'crm.read'] }, { var: 'args.flag' }] },
      action: 'deny',
    },
    {
      id: 'tagged',
      condition: { in: ['pii', { var: 'tool.tags' }] },
      action: { type: 'mask', profile: 'pii' },
    },
    {
      id: 'either',
      condition: { or: [{ '==': [{ var: 'tool.operation' }, 'delete'] }, { var: 'args.x' }] },
      action: 'deny',
    },
  ];
  const frozenTool = (name: string, tags: string[], operation: ToolInfo['operation']): ToolInfo =>
    Object.freeze({
      name,
      operation,
      annotations: Object.freeze({}),
      tags: Object.freeze(tags),
      sensitivity: 'internal' as const,
    });
  const call = (tool: ToolInfo, args: unknown): PolicyInput => ({
    ...randomInput(generator(9)),
    tool,
    args,
  });
  const summary = (outcome: PolicyOutcome) => ({
    ok: outcome.ok,
    matched: outcome.matched.map((m) => `${m.id}${m.decisive === true ? '!' : ''}`),
    masks: outcome.ok ? outcome.obligations?.maskProfiles : undefined,
  });

  it('decide as the general conditions do, frozen tool or not', () => {
    const engine = policyEngine({ policies });
    const cases: [string, string[], ToolInfo['operation'], unknown][] = [
      ['crm.read', ['pii'], 'read', { flag: true }],
      ['crm.read', [], 'read', { flag: false }],
      ['mail.send', ['pii'], 'write', { flag: true }],
      ['mail.send', [], 'delete', {}],
      ['mail.send', [], 'write', { x: 1 }],
      ['mail.send', [], 'write', {}],
    ];
    for (const [name, tags, operation, args] of cases) {
      const frozen = frozenTool(name, tags, operation);
      const open: ToolInfo = { ...frozen, tags: [...tags] };
      const expected = summary(engine.evaluate(call(open, args)) as PolicyOutcome);
      expect(summary(engine.evaluate(call(frozen, args)) as PolicyOutcome), name).toEqual(expected);
      // And again, from the cached plan.
      expect(summary(engine.evaluate(call(frozen, args)) as PolicyOutcome), name).toEqual(expected);
    }
    const outcome = engine.evaluate(
      call(frozenTool('crm.read', ['pii'], 'read'), { flag: 1 }),
    ) as PolicyOutcome;
    expect(summary(outcome)).toEqual({
      ok: false,
      matched: ['crm-only!', 'tagged'],
      masks: undefined,
    });
  });

  it('stay correct past the bound on specialised tools', () => {
    const engine = policyEngine({ policies });
    for (let i = 0; i < 300; i += 1) {
      const name = i % 2 === 0 ? 'crm.read' : `tool.${i}`;
      const outcome = engine.evaluate(
        call(frozenTool(name, i % 3 === 0 ? ['pii'] : [], 'read'), { flag: true }),
      ) as PolicyOutcome;
      expect(outcome.ok, name).toBe(name !== 'crm.read');
      expect(
        outcome.matched.some((m) => m.id === 'tagged'),
        name,
      ).toBe(i % 3 === 0);
    }
  });
});

describe('tests shared between policies', () => {
  it('keep each call its own results, also for a call made during another', () => {
    const operations = policyOperations();
    const base = randomInput(generator(4));
    const nested: { run?: (input: PolicyInput) => unknown } = {};
    const admin = { in: ['admin', { var: 'principal.roles' }] };
    // A custom operation that runs a whole decision for another caller in the middle of this one.
    operations.register('nested_decision', {
      evaluate: ([subject]) =>
        // Same tool, so the same policies and shared tests as the call it runs in.
        nested.run?.({
          ...base,
          principal: { ...base.principal, subject: String(subject), roles: ['guest'] },
          args: {},
        }),
    });
    const policies: PolicyDefinition[] = [
      { id: 'a', condition: { and: [admin, { nested_decision: ['x'] }] }, action: 'allow' },
      { id: 'b', condition: { and: [admin, { '==': [1, 1] }] }, action: 'allow' },
      { id: 'c', condition: { and: [{ '!': admin }, { var: 'args.go' }] }, action: 'deny' },
      { id: 'd', condition: { and: [admin, { var: 'args.go' }] }, action: 'deny' },
    ];
    const engine = policyEngine({ policies, operations, defaultDecision: 'deny' });
    const seen: string[][] = [];
    nested.run = (input) => {
      const outcome = engine.evaluate(input) as PolicyOutcome;
      seen.push(outcome.matched.map((m) => m.id));
      return true;
    };
    const asAdmin = { ...base, principal: { ...base.principal, roles: ['admin'] }, args: {} };
    const outcome = engine.evaluate(asAdmin) as PolicyOutcome;
    // The guest's nested decision saw "not admin"; this call still sees "admin".
    expect(seen).toEqual([[]]);
    expect(outcome.ok).toBe(true);
    expect(outcome.matched.map((m) => m.id)).toEqual(['a', 'b']);
    const guest = engine.evaluate({
      ...asAdmin,
      principal: { ...asAdmin.principal, roles: ['guest'] },
      args: { go: true },
    }) as PolicyOutcome;
    expect(guest.matched.map((m) => m.id)).toEqual(['c']);
  });
});
