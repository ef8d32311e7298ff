import type { OperationKind, Principal, ToolInfo } from '@agentguard/core';
import { compileToolPattern } from '@agentguard/core';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { reportTarget, runSuite, type BenchCase } from '../../../bench/lib/harness.js';
import { rbac, type RoleRule } from '../src/index.js';

// 50 services x 20 operations = 1,000 tool names; 24 roles with a hierarchy.
const SERVICES = 50;
const OPS = 20;
const ROLES = 20;
const hierarchy: Record<string, string[]> = {
  admin: ['manager', 'auditor'],
  manager: ['role0', 'role5', 'role10'],
  auditor: ['role15'],
  role0: ['role1'],
  role1: ['role2'],
  role5: ['role6'],
};

function toolInfo(name: string, operation: OperationKind = 'read', tags: string[] = []): ToolInfo {
  return Object.freeze({
    name,
    operation,
    annotations: Object.freeze({ tags }),
    tags: Object.freeze(tags),
    sensitivity: 'internal',
  });
}

function who(roles: string[], tenantId = 'tenant-a'): Principal {
  return {
    subject: 'bench',
    tenantId,
    roles,
    permissions: [],
    scopes: [],
    authLevel: {},
    claims: {},
    authenticatedBy: 'bench',
  };
}

// Rule set A, expressible in casbin with keyMatch: 700 exact names + 300 prefix globs.
const nameRules: RoleRule[] = [];
for (let i = 0; i < 700; i++) {
  nameRules.push({
    id: `exact-${i}`,
    tools: [`s${i % SERVICES}.op${Math.floor(i / SERVICES)}`],
    roles: [`role${(i * 7) % ROLES}`],
  });
}
for (let j = 0; j < 300; j++) {
  const service = `s${j % SERVICES}`;
  const pattern = j < 150 ? `${service}.*` : `${service}.op1*`;
  nameRules.push({ id: `glob-${j}`, tools: [pattern], roles: [`role${(j * 11 + 3) % ROLES}`] });
}

// Rule set B, every targeting kind: 600 exact, 200 globs (prefix and suffix), 150 tags,
// 50 rules by operation kind.
const mixedRules: RoleRule[] = [];
for (let i = 0; i < 600; i++) {
  mixedRules.push({
    id: `exact-${i}`,
    tools: [`s${i % SERVICES}.op${Math.floor(i / SERVICES)}`],
    roles: [`role${(i * 7) % ROLES}`],
  });
}
for (let j = 0; j < 200; j++) {
  const pattern = j % 2 === 0 ? `s${j % SERVICES}.*` : `*.op${j % OPS}`;
  mixedRules.push({
    id: `glob-${j}`,
    tools: [pattern],
    operations: j % 3 === 0 ? ['write', 'delete'] : ['read'],
    roles: [`role${(j * 11 + 3) % ROLES}`],
  });
}
for (let k = 0; k < 150; k++) {
  mixedRules.push({ id: `tag-${k}`, tags: [`tag${k % 30}`], roles: [`role${(k * 13) % ROLES}`] });
}
for (let m = 0; m < 50; m++) {
  mixedRules.push({
    id: `op-${m}`,
    tools: ['*'],
    operations: [m % 2 === 0 ? 'read' : 'delete'],
    roles: [`ops${m}`],
  });
}

const tools: ToolInfo[] = [];
for (let s = 0; s < SERVICES; s++) {
  for (let o = 0; o < OPS; o++) {
    const operation: OperationKind = o % 3 === 0 ? 'write' : o % 7 === 0 ? 'delete' : 'read';
    tools.push(toolInfo(`s${s}.op${o}`, operation, [`tag${(s + o) % 30}`]));
  }
}

const names = rbac({ mode: 'roles', rules: nameRules, hierarchy });
const mixed = rbac({
  mode: 'roles',
  rules: mixedRules,
  hierarchy,
  tenantRules: {
    acme: [
      {
        id: 'acme-read',
        tools: ['*'],
        operations: ['read', 'write'],
        roles: ['role0', 'role4', 'role8'],
      },
    ],
  },
});
for (const t of tools) {
  names.toolRegistered(t);
  mixed.toolRegistered(t);
}

const oneRole = who(['role4']);
const severalRoles = who(['role3', 'role8', 'role13', 'role17', 'guest']);
const hierarchyAdmin = who(['admin', 'role19']);
const acmeUser = who(['role8', 'role4'], 'acme');

// The tool each case checks: allowed for the principal in question (asserted below).
const exactTool = tools.find((t) => t.name === 's14.op0')!; // exact-14 → role (14*7)%20 = 18
const multiTool = tools.find((t) => names.authorize(severalRoles, t).ok)!;
const adminTool = tools.find((t) => t.name === 's2.op5')!;
const mixedTool = tools.find((t) => mixed.authorize(severalRoles, t).ok && t.tags.length > 0)!;
const acmeTool = tools.find((t) => mixed.authorize(acmeUser, t).ok)!;
const deniedTool = tools.find((t) => !names.authorize(oneRole, t).ok)!;
const roleFor18 = who(['role18']);
for (const [label, access, p, t] of [
  ['exact', names, roleFor18, exactTool],
  ['several roles', names, severalRoles, multiTool],
  ['hierarchy', names, hierarchyAdmin, adminTool],
  ['mixed', mixed, severalRoles, mixedTool],
  ['tenant', mixed, acmeUser, acmeTool],
] as const) {
  if (!access.authorize(p, t).ok) throw new Error(`bench setup: ${label} case is not allowed`);
}

// Floor reference: the same 1,000 rules checked by a linear scan of precompiled matchers,
// with the principal's roles expanded per call. What a straightforward implementation does.
const holders = new Map<string, Set<string>>();
const inheritsOf = (role: string, acc: Set<string>): Set<string> => {
  acc.add(role);
  for (const child of hierarchy[role] ?? []) inheritsOf(child, acc);
  return acc;
};
for (const role of Object.keys(hierarchy)) holders.set(role, inheritsOf(role, new Set()));
const scanRules = nameRules.map((r) => ({
  id: r.id,
  match: compileToolPattern(r.tools![0]!),
  roles: new Set(r.roles),
}));
function linearScan(principal: Principal, tool: ToolInfo): string[] {
  const held = new Set<string>();
  for (const role of principal.roles) for (const r of holders.get(role) ?? [role]) held.add(r);
  const matched: string[] = [];
  for (const rule of scanRules) {
    if (!rule.match(tool.name)) continue;
    for (const role of rule.roles) {
      if (held.has(role)) {
        matched.push(rule.id);
        break;
      }
    }
  }
  return matched;
}

// casbin with the same 1,000 rules: keyMatch handles exact names and prefix globs exactly
// like our patterns, and `g` carries the hierarchy and the user's roles.
const model = newModelFromString(`
[request_definition]
r = sub, obj
[policy_definition]
p = sub, obj
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && keyMatch(r.obj, p.obj)
`);
const lines: string[] = nameRules.map((r) => `p, ${r.roles[0]!}, ${r.tools![0]!}`);
for (const [role, children] of Object.entries(hierarchy)) {
  for (const child of children) lines.push(`g, ${role}, ${child}`);
}
for (const role of severalRoles.roles) lines.push(`g, several, ${role}`);
for (const role of hierarchyAdmin.roles) lines.push(`g, admin-user, ${role}`);
lines.push('g, one, role18');
const casbin = await newEnforcer(model, new StringAdapter(lines.join('\n')));

// Same decisions on every (principal, tool) pair before timing anything.
let agreed = 0;
for (const [user, p] of [
  ['several', severalRoles],
  ['admin-user', hierarchyAdmin],
  ['one', roleFor18],
] as const) {
  for (const t of tools) {
    const ours = names.authorize(p, t).ok;
    const theirs = casbin.enforceSync(user, t.name);
    const scan = linearScan(p, t).length > 0;
    if (ours !== theirs || ours !== scan) {
      throw new Error(`decisions differ for ${user} on ${t.name}: ${ours} ${theirs} ${scan}`);
    }
    agreed += 1;
  }
}
console.log(`agentguard, casbin and the linear scan agree on ${agreed} decisions`);

// A stream of tool names the cache has never seen (cache smaller than the stream).
const coldAccess = rbac({ mode: 'roles', rules: mixedRules, hierarchy, cacheSize: 100 });
let coldIndex = 0;

const cases: BenchCase[] = [
  {
    name: 'agentguard authorize: exact-name rule, 1 role',
    library: 'agentguard',
    fn: () => names.authorize(roleFor18, exactTool),
  },
  {
    name: 'agentguard authorize: 5 roles, 1,000 name rules',
    library: 'agentguard',
    fn: () => names.authorize(severalRoles, multiTool),
  },
  {
    name: 'agentguard authorize: inherited role (hierarchy)',
    library: 'agentguard',
    fn: () => names.authorize(hierarchyAdmin, adminTool),
  },
  {
    name: 'agentguard authorize: 5 roles, mixed exact/glob/tag/operation rules',
    library: 'agentguard',
    fn: () => mixed.authorize(severalRoles, mixedTool),
  },
  {
    name: 'agentguard authorize: tenant rules narrowing',
    library: 'agentguard',
    fn: () => mixed.authorize(acmeUser, acmeTool),
  },
  {
    name: 'agentguard authorize: denied (builds a ForbiddenError)',
    library: 'agentguard',
    fn: () => names.authorize(oneRole, deniedTool),
  },
  {
    name: 'agentguard visibleTools: 1,000 tools, 5 roles',
    library: 'agentguard',
    fn: () => mixed.visibleTools(severalRoles, tools),
  },
  {
    name: 'agentguard authorize: uncached tool (compiles 1,000 rules)',
    library: 'agentguard',
    fn: () => coldAccess.authorize(severalRoles, tools[coldIndex++ % tools.length]!),
    note: 'cacheSize 100 with 1,000 distinct tools: every check compiles the tool entry; registered tools never pay this',
  },
  {
    name: 'linear scan of 1,000 precompiled rules, 5 roles',
    library: 'hand-written baseline',
    fn: () => linearScan(severalRoles, multiTool),
    note: 'same 1,000 name rules; roles expanded through the hierarchy on each call, every rule tested',
  },
  {
    name: 'casbin enforceSync, 1,000 policies, 5 roles',
    library: 'casbin@5.51.1',
    fn: () => casbin.enforceSync('several', multiTool.name),
    note: 'same 1,000 name rules as p lines with keyMatch, hierarchy and user roles as g lines',
  },
];

const rows = await runSuite('rbac', cases, {
  baseline: 'casbin enforceSync, 1,000 policies, 5 roles',
});
const check = rows.find((r) => r.name === 'agentguard authorize: 5 roles, 1,000 name rules')!;
const mixedRow = rows.find((r) => r.name.startsWith('agentguard authorize: 5 roles, mixed'))!;
const worst = Math.max(check.meanMicros, mixedRow.meanMicros);
reportTarget(
  'RBAC check under 1 µs with 1,000 rules (principal with 5 roles and a hierarchy)',
  worst < 1,
  `mean ${check.meanMicros.toFixed(3)} µs name rules, ${mixedRow.meanMicros.toFixed(3)} µs mixed rules; p99 ${check.p99Micros.toFixed(3)} / ${mixedRow.p99Micros.toFixed(3)} µs`,
);
