// Policy evaluation: 20 rules (AND of 2-4 conditions), deny-overrides / default deny, one op =
// one tool-call decision. Engines: our compiled engine, json-logic-js apply x20 on the same
// rules, Cedar (preparsed policy set) and casbin (ABAC eval matcher) on an equivalent set.
// Plus 1,000 rules: ours vs json-logic-js.
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { PolicyInput } from '@agentguard/core';
import { newEnforcer, newModelFromString } from 'casbin';
import jsonLogic from 'json-logic-js';
import { evaluationContext, policyEngine, type PolicyDefinition } from '../src/index.js';
import { reportTarget, runSuite } from '../../../bench/lib/harness.js';
import { prng } from '../test/helpers/random-rules.js';

const ROLES = ['admin', 'analyst', 'support', 'agent', 'guest'];
const TOOLS = [
  'crm.read',
  'crm.write',
  'crm.delete',
  'payments.refund',
  'payments.read',
  'reports.export',
  'mail.send',
  'files.read',
];
const RISKS = ['low', 'medium', 'high'];
const COUNTRIES = ['FR', 'DE', 'US', 'GB', 'NG', 'BR'];

type Cond =
  | { kind: 'role' | 'tool' | 'risk' | 'country'; value: string }
  | { kind: 'gt' | 'lt'; value: number }
  | { kind: 'mfa'; value: boolean };
interface Rule {
  id: string;
  effect: 'allow' | 'deny';
  conds: Cond[];
}
interface Req {
  role: string;
  tool: string;
  risk: string;
  country: string;
  amount: number;
  mfa: boolean;
}

function makeRules(count: number, seed: number): Rule[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const n = 2 + Math.floor(random() * 3);
    const kinds = ['role', 'tool', 'risk', 'country', 'amount', 'mfa']
      .sort(() => random() - 0.5)
      .slice(0, n);
    const conds: Cond[] = kinds.map((k) => {
      switch (k) {
        case 'role':
          return { kind: 'role', value: pick(ROLES) };
        case 'tool':
          return { kind: 'tool', value: pick(TOOLS) };
        case 'risk':
          return { kind: 'risk', value: pick(RISKS) };
        case 'country':
          return { kind: 'country', value: pick(COUNTRIES) };
        case 'amount':
          return { kind: random() < 0.5 ? 'gt' : 'lt', value: Math.floor(random() * 10_000) };
        default:
          return { kind: 'mfa', value: random() < 0.5 };
      }
    });
    // Broad allows and narrow denies, so both outcomes are common.
    const deny = count > 100 ? i % 50 === 7 : i % 3 === 2;
    return {
      id: `r${i}`,
      effect: deny ? 'deny' : 'allow',
      conds: deny ? conds : conds.slice(0, 2),
    };
  });
}

function toJsonLogic(c: Cond): unknown {
  switch (c.kind) {
    case 'role':
      return { in: [c.value, { var: 'principal.roles' }] };
    case 'tool':
      return { '==': [{ var: 'tool.name' }, c.value] };
    case 'risk':
      return { '==': [{ var: 'principal.agent.riskTier' }, c.value] };
    case 'country':
      return { '==': [{ var: 'request.country' }, c.value] };
    case 'gt':
      return { '>': [{ var: 'args.amount' }, c.value] };
    case 'lt':
      return { '<': [{ var: 'args.amount' }, c.value] };
    default:
      return c.value
        ? { in: ['mfa', { var: 'principal.amr' }] }
        : { '!': { in: ['mfa', { var: 'principal.amr' }] } };
  }
}

function toCedar(r: Rule): string {
  const parts = r.conds.map((c) => {
    switch (c.kind) {
      case 'role':
        return `principal.role == "${c.value}"`;
      case 'tool':
        return `resource == Tool::"${c.value}"`;
      case 'risk':
        return `principal.risk == "${c.value}"`;
      case 'country':
        return `context.country == "${c.value}"`;
      case 'gt':
        return `context.amount > ${c.value}`;
      case 'lt':
        return `context.amount < ${c.value}`;
      default:
        return `principal.mfa == ${c.value}`;
    }
  });
  return `@id("${r.id}") ${r.effect === 'allow' ? 'permit' : 'forbid'}(principal, action, resource) when { ${parts.join(' && ')} };`;
}

function toCasbin(r: Rule): string {
  return r.conds
    .map((c) => {
      switch (c.kind) {
        case 'role':
          return `r.sub.role == '${c.value}'`;
        case 'tool':
          return `r.sub.tool == '${c.value}'`;
        case 'risk':
          return `r.sub.risk == '${c.value}'`;
        case 'country':
          return `r.sub.country == '${c.value}'`;
        case 'gt':
          return `r.sub.amount > ${c.value}`;
        case 'lt':
          return `r.sub.amount < ${c.value}`;
        default:
          return `r.sub.mfa == ${c.value}`;
      }
    })
    .join(' && ');
}

function makeRequests(count: number, seed: number): Req[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: count }, () => ({
    role: pick(ROLES),
    tool: pick(TOOLS),
    risk: pick(RISKS),
    country: pick(COUNTRIES),
    amount: Math.floor(random() * 10_000),
    mfa: random() < 0.5,
  }));
}

const toolInfos = new Map(
  TOOLS.map((name) => [
    name,
    {
      name,
      operation: 'write' as const,
      annotations: {},
      tags: [],
      sensitivity: 'internal' as const,
    },
  ]),
);

function toInput(r: Req): PolicyInput {
  return {
    principal: {
      subject: 'u1',
      tenantId: 'acme',
      roles: [r.role],
      permissions: [],
      scopes: [],
      agent: { id: 'bot', riskTier: r.risk },
      authLevel: { amr: r.mfa ? ['pwd', 'mfa'] : ['pwd'] },
      claims: {},
      authenticatedBy: 'bench',
    },
    tool: toolInfos.get(r.tool)!,
    args: { amount: r.amount },
    context: { country: r.country },
    now: 1_736_157_600_000,
  };
}

async function setup(rules: Rule[]) {
  const conditions = rules.map((r) => ({ and: r.conds.map(toJsonLogic) }));
  const policies: PolicyDefinition[] = rules.map((r, i) => ({
    id: r.id,
    condition: conditions[i],
    action: r.effect,
  }));
  const engine = policyEngine({ policies, defaultDecision: 'deny' });
  const ours = (input: PolicyInput): boolean => (engine.evaluate(input) as { ok: boolean }).ok;
  const jl = (input: PolicyInput): boolean => {
    const data = evaluationContext(input);
    // Every rule is evaluated, as the engine does (it records every match for the audit).
    let allow = false;
    let deny = false;
    for (let i = 0; i < rules.length; i += 1) {
      if (jsonLogic.truthy(jsonLogic.apply(conditions[i] as never, data))) {
        if (rules[i]!.effect === 'deny') deny = true;
        else allow = true;
      }
    }
    return allow && !deny;
  };
  return { ours, jl };
}

async function main(): Promise<void> {
  const rules = makeRules(20, 7);
  const requests = makeRequests(2000, 11);
  const inputs = requests.map(toInput);
  const { ours, jl } = await setup(rules);

  const psetId = 'bench20';
  const parsed = cedar.preparsePolicySet(psetId, { staticPolicies: rules.map(toCedar).join('\n') });
  if (parsed.type !== 'success') throw new Error(`cedar parse: ${JSON.stringify(parsed)}`);
  const cedarDecide = (r: Req): boolean => {
    const answer = cedar.statefulIsAuthorized({
      principal: { type: 'User', id: 'u1' },
      action: { type: 'Action', id: 'call' },
      resource: { type: 'Tool', id: r.tool },
      context: { amount: r.amount, country: r.country },
      preparsedPolicySetId: psetId,
      entities: [
        {
          uid: { type: 'User', id: 'u1' },
          attrs: { role: r.role, risk: r.risk, mfa: r.mfa },
          parents: [],
        },
      ],
    });
    if (answer.type !== 'success') throw new Error('cedar failed');
    return answer.response.decision === 'allow';
  };

  const model = newModelFromString(`
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, obj, act, eft
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = eval(p.sub_rule)
`);
  const enforcer = await newEnforcer(model);
  await enforcer.addPolicies(rules.map((r) => [toCasbin(r), '*', '*', r.effect]));
  const casbinDecide = (r: Req): boolean => enforcer.enforceSync(r, r.tool, 'call');

  // All engines must agree before anything is timed.
  let allowed = 0;
  requests.forEach((r, i) => {
    const a = ours(inputs[i]!);
    const b = jl(inputs[i]!);
    const c = cedarDecide(r);
    const d = casbinDecide(r);
    if (a !== b || a !== c || a !== d) {
      throw new Error(
        `engines disagree on request ${i}: ours=${a} json-logic=${b} cedar=${c} casbin=${d}`,
      );
    }
    if (a) allowed += 1;
  });
  console.log(
    `All engines agree on ${requests.length} random requests (${allowed} allow / ${requests.length - allowed} deny).`,
  );

  let k = 0;
  const next = (): number => (k = (k + 1) % requests.length);
  const rows = await runSuite(
    'policy-20-rules',
    [
      {
        name: 'json-logic-js apply x20 rules',
        library: 'json-logic-js@2.0.5',
        fn: () => jl(inputs[next()]!),
      },
      {
        name: 'agentguard policyEngine (compiled) 20 rules',
        library: 'agentguard',
        fn: () => ours(inputs[next()]!),
      },
      {
        name: 'cedar-wasm statefulIsAuthorized (preparsed)',
        library: '@cedar-policy/cedar-wasm@4.13.0',
        fn: () => cedarDecide(requests[next()]!),
      },
      {
        name: 'casbin enforceSync (ABAC eval)',
        library: 'casbin@5.51.1',
        fn: () => casbinDecide(requests[next()]!),
      },
    ],
    { baseline: 'json-logic-js apply x20 rules' },
  );
  const ourRow = rows.find((r) => r.library === 'agentguard')!;
  const ratio = ourRow.relative ?? 0;
  reportTarget(
    'compiled engine >= 10x json-logic-js apply (20 rules)',
    ratio >= 10,
    `x${ratio.toFixed(2)}`,
  );
  const others = rows.filter(
    (r) => r.library.startsWith('@cedar') || r.library.startsWith('casbin'),
  );
  reportTarget(
    'ahead of Cedar and casbin (20 rules)',
    others.every((r) => ourRow.opsPerSecond > r.opsPerSecond),
    others
      .map((r) => `${r.library} x${(ourRow.opsPerSecond / r.opsPerSecond).toFixed(1)}`)
      .join(', '),
  );

  const big = makeRules(1000, 13);
  const bigEngines = await setup(big);
  let bigAllowed = 0;
  for (const input of inputs.slice(0, 500)) {
    const a = bigEngines.ours(input);
    if (a !== bigEngines.jl(input)) throw new Error('1,000-rule engines disagree');
    if (a) bigAllowed += 1;
  }
  console.log(`1,000 rules: engines agree on 500 requests (${bigAllowed} allow).`);
  const bigRows = await runSuite(
    'policy-1000-rules',
    [
      {
        name: 'json-logic-js apply x1000 rules',
        library: 'json-logic-js@2.0.5',
        fn: () => bigEngines.jl(inputs[next()]!),
      },
      {
        name: 'agentguard policyEngine (compiled) 1000 rules',
        library: 'agentguard',
        fn: () => bigEngines.ours(inputs[next()]!),
      },
    ],
    { baseline: 'json-logic-js apply x1000 rules' },
  );
  const bigRatio = bigRows.find((r) => r.library === 'agentguard')?.relative ?? 0;
  reportTarget(
    'compiled engine >= 10x json-logic-js apply (1,000 rules)',
    bigRatio >= 10,
    `x${bigRatio.toFixed(2)}`,
  );
}

await main();
