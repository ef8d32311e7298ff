// The policy benchmark's scenario: random rules (AND of 2-4 conditions, broad allows and
// narrow denies) written for each engine, and random requests. Shared by the benchmark and the
// profiling script.
import type { PolicyInput, ToolInfo } from '@agentguard/core';
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

export type Cond =
  | { kind: 'role' | 'tool' | 'risk' | 'country'; value: string }
  | { kind: 'gt' | 'lt'; value: number }
  | { kind: 'mfa'; value: boolean };
export interface Rule {
  id: string;
  effect: 'allow' | 'deny';
  conds: Cond[];
}
export interface Req {
  role: string;
  tool: string;
  risk: string;
  country: string;
  amount: number;
  mfa: boolean;
}

export function makeRules(count: number, seed: number): Rule[] {
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

export function toJsonLogic(c: Cond): unknown {
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

export function toCedar(r: Rule): string {
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

export function toCasbin(r: Rule): string {
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

export function makeRequests(count: number, seed: number): Req[] {
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

// Tools as core's `createGuard` passes them to the policy stage: frozen, with frozen tags and
// annotations, one object per registered tool.
const toolInfos = new Map<string, ToolInfo>(
  TOOLS.map((name) => [
    name,
    Object.freeze({
      name,
      operation: 'write' as const,
      annotations: Object.freeze({}),
      tags: Object.freeze([]),
      sensitivity: 'internal' as const,
    }),
  ]),
);

// The same tools, not frozen (as a caller building its own tool objects might pass them): the
// engine then cannot fold the tool's facts into the conditions.
const openToolInfos = new Map<string, ToolInfo>(
  [...toolInfos].map(([name, tool]) => [name, { ...tool, tags: [] }]),
);

/** The policy input of a request; `frozenTools: false` passes tools that are not frozen. */
export function toInput(r: Req, frozenTools = true): PolicyInput {
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
    tool: (frozenTools ? toolInfos : openToolInfos).get(r.tool)!,
    args: { amount: r.amount },
    context: { country: r.country },
    now: 1_736_157_600_000,
  };
}
