import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { startBackend } from '@agentguard-examples/backend';
import {
  createDevIdentityProvider,
  mintExampleTokens,
  startMcpServer,
} from '@agentguard-examples/mcp-server';
import { bold, cyan, dim, green, printTable, red, yellow } from './table.js';

// `pnpm demo`: an MCP server whose tools are guarded by AgentGuard, a payments backend that
// verifies the guard's signatures, and the official MCP client calling them as several
// principals. Every row prints what happened and why; the exit code says whether every
// scenario produced the outcome it should.

const started = performance.now();
const signingKey = { id: 'guard-2026-11', alg: 'hmac-sha256' as const, secret: randomBytes(32) };
const idp = await createDevIdentityProvider();
const backend = await startBackend({ keys: [signingKey] });
const server = await startMcpServer({
  idp,
  signingKey,
  backendUrl: backend.url,
  maskingKey: randomBytes(32).toString('base64'),
});

const tokens = await mintExampleTokens(idp);

interface Http {
  status: number;
  challenge: string | null;
}
interface Session {
  readonly client: Client;
  readonly http: Http[];
}
const sessions: Session[] = [];

async function connect(token: string, headers: Record<string, string> = {}): Promise<Session> {
  const http: Http[] = [];
  const client = new Client({ name: 'demo-agent', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), {
    requestInit: { headers: { ...headers, authorization: `Bearer ${token}` } },
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      http.push({ status: response.status, challenge: response.headers.get('www-authenticate') });
      return response;
    },
  });
  await client.connect(transport);
  const session = { client, http };
  sessions.push(session);
  return session;
}

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content?: { type: string; text?: string }[];
}

/** Calls a tool; resolves with [code, detail] where code is `allowed` or the guard's code. */
async function call(
  session: Session,
  name: string,
  args: Record<string, unknown>,
  meta?: Record<string, unknown>,
): Promise<{ code: string; detail: string; result?: ToolResult }> {
  const before = session.http.length;
  try {
    const result = (await session.client.callTool({
      name,
      arguments: args,
      ...(meta ? { _meta: meta } : {}),
    })) as ToolResult;
    const sc = result.structuredContent ?? {};
    if (result.isError) {
      const code = text(sc['code']);
      const extra = sc['approvalId'] ? ` ${dim(`approvalId=${text(sc['approvalId'])}`)}` : '';
      const reason = sc['reason'] ? dim(` (${text(sc['reason'])})`) : '';
      return { code, detail: `${text(sc['message'])}${reason}${extra}`, result };
    }
    const summary =
      'transferId' in sc
        ? `backend recorded ${text(sc['transferId'])} for ${JSON.stringify(sc['requestedFor'])}`
        : JSON.stringify(sc);
    return { code: 'allowed', detail: dim(short(summary, 72)), result };
  } catch (error) {
    // Over HTTP, step-up answers 401 + WWW-Authenticate (RFC 9470) so clients can re-authorize.
    const challenge = session.http.slice(before).find((h) => h.status === 401)?.challenge;
    if (challenge?.includes('insufficient_user_authentication')) {
      const acr = /acr_values="([^"]*)"/.exec(challenge)?.[1];
      return {
        code: 'step_up_required',
        detail: `HTTP 401 insufficient_user_authentication ${dim(`acr_values=${acr ?? '?'}`)}`,
      };
    }
    return { code: 'client_error', detail: error instanceof Error ? error.message : String(error) };
  }
}

/** A JSON value as display text. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined ? '' : JSON.stringify(value);
}

function short(text: string, max = 64): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface Row {
  readonly who: string;
  readonly what: string;
  readonly expected: string;
  readonly got: string;
  readonly why: string;
}
const rows: Row[] = [];
function record(
  who: string,
  what: string,
  expected: string,
  got: { code: string; detail: string },
): void {
  rows.push({ who, what, expected, got: got.code, why: got.detail });
}

const ada = await connect(tokens.ada);
const grace = await connect(tokens.grace);
const mallory = await connect(tokens.mallory);
const risky = await connect(tokens.riskyAgent);

// 0. No token at all: refused before MCP runs, with a challenge the client can follow.
{
  const response = await fetch(server.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  record('(no token)', 'list tools', 'unauthenticated', {
    code: response.status === 401 ? 'unauthenticated' : `HTTP ${response.status}`,
    detail: `HTTP ${response.status} ${dim(short(response.headers.get('www-authenticate') ?? '', 70))}`,
  });
}

// 1. Tool listings: one enforcement point for listing and calling.
for (const [who, session, expected] of [
  ['ada (agent)', ada, 'crm.lookup_customer, payments.transfer'],
  ['grace (admin)', grace, 'admin.delete_customer, crm.lookup_customer'],
] as const) {
  const names = (await session.client.listTools()).tools
    .map((t) => t.name)
    .sort()
    .join(', ');
  rows.push({
    who,
    what: 'list tools',
    expected,
    got: names,
    why: dim('filtered by rbac visibleTools'),
  });
}

// 2. Allowed, with personal data masked on the way out; from the EU, the GDPR profile
//    tokenizes e-mail and phone instead (reversible by an authorised detokenize call).
const masked = await call(ada, 'crm.lookup_customer', { customerId: 'cus_ada' });
record('ada (agent)', 'look up cus_ada', 'allowed', {
  ...masked,
  detail: dim('personal data masked (below)'),
});
const adaInBerlin = await connect(tokens.ada, { 'x-client-country': 'DE' });
const gdpr = await call(adaInBerlin, 'crm.lookup_customer', { customerId: 'cus_ada' });
const gdprEmail = text(gdpr.result?.structuredContent?.['email'] ?? '');
record('ada, from Germany', 'look up cus_ada', 'allowed', {
  ...gdpr,
  detail: dim(`GDPR profile: email ${short(gdprEmail, 28)}`),
});
// 3. Invalid input: an argument the schema does not know.
record(
  'ada (agent)',
  'look up with an extra argument',
  'invalid_input',
  await call(ada, 'crm.lookup_customer', { customerId: 'cus_ada', includeDeleted: true }),
);
// 4. Denied by rbac.
record(
  'ada (agent)',
  'delete a customer',
  'forbidden',
  await call(ada, 'admin.delete_customer', { customerId: 'cus_alan' }),
);
record(
  'grace (admin)',
  'delete a customer',
  'allowed',
  await call(grace, 'admin.delete_customer', { customerId: 'cus_alan' }),
);
// 5. Denied by policy: a high-risk agent may not write.
record(
  'unvetted agent',
  'transfer 50',
  'policy_denied',
  await call(risky, 'payments.transfer', { from: 'acc_ops', to: 'acc_42', amount: 50 }),
);
// 6. Forwarded to the backend with an RFC 9421 signature, verified there.
record(
  'ada (agent)',
  'transfer 500 (forwarded, signed)',
  'allowed',
  await call(ada, 'payments.transfer', { from: 'acc_ops', to: 'acc_42', amount: 500 }),
);
// 7. Step-up: above 1,000 needs MFA; the same call succeeds with a stronger token.
record(
  'ada (agent)',
  'transfer 5,000',
  'step_up_required',
  await call(ada, 'payments.transfer', { from: 'acc_ops', to: 'acc_42', amount: 5000 }),
);
const adaMfa = await connect(tokens.adaMfa);
record(
  'ada + MFA',
  'transfer 5,000 again',
  'allowed',
  await call(adaMfa, 'payments.transfer', { from: 'acc_ops', to: 'acc_42', amount: 5000 }),
);
// 8. Approval: above 10,000 needs a human. The requester cannot approve; another approver can.
const bigTransfer = { from: 'acc_ops', to: 'acc_77', amount: 25_000 };
const pending = await call(adaMfa, 'payments.transfer', bigTransfer);
record('ada + MFA', 'transfer 25,000', 'approval_required', pending);
const approvalId = text(pending.result?.structuredContent?.['approvalId'] ?? '');
{
  const selfApprove = await fetch(`${server.url}/approvals/${approvalId}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.adaMfa}` },
  });
  const body = (await selfApprove.json()) as { code?: string; reason?: string };
  record('ada + MFA', 'approve own request (agent token)', 'unauthenticated', {
    code: body.code ?? `HTTP ${selfApprove.status}`,
    detail: `HTTP ${selfApprove.status} ${dim(`${body.reason ?? ''}: tool tokens are refused on the approvers' plane`)}`,
  });
  const approve = await fetch(`${server.url}/approvals/${approvalId}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.graceApprover}` },
  });
  const decided = (await approve.json()) as { status?: string; approvers?: string[] };
  record('grace (approver)', 'approve the request', 'approved', {
    code: decided.status ?? `HTTP ${approve.status}`,
    detail: dim(`approvers: ${(decided.approvers ?? []).join(', ')}`),
  });
}
record(
  'ada + MFA',
  'transfer 25,000 with the approval',
  'allowed',
  await call(adaMfa, 'payments.transfer', bigTransfer, { 'agentguard/approvalId': approvalId }),
);
record(
  'ada + MFA',
  'reuse the same approval',
  'approval_invalid',
  await call(adaMfa, 'payments.transfer', bigTransfer, { 'agentguard/approvalId': approvalId }),
);
// 9. Cross-tenant: a user of globex asks for an acme customer.
record(
  'mallory (globex)',
  "look up acme's cus_ada",
  'forbidden',
  await call(mallory, 'crm.lookup_customer', { customerId: 'cus_ada' }),
);
// 10. Rate limit: five lookups a minute per principal (two done above).
let limited = { code: 'allowed', detail: '' };
for (let i = 0; i < 5 && limited.code === 'allowed'; i++) {
  limited = await call(ada, 'crm.lookup_customer', { customerId: 'cus_ada' });
}
record('ada (agent)', 'keep looking up (6th in a minute)', 'rate_limited', limited);

// 11. The backend refuses a forwarded call that was tampered with on the way.
{
  const { createSigner } = await import('@agentguard/hmac-signing');
  const signed = await createSigner({ keys: [signingKey] })
    .forCall({
      subject: 'user:ada',
      tenantId: 'acme',
      roles: [],
      decisionId: 'demo',
      tool: 'payments.transfer',
    })
    .sign(
      new Request(`${backend.url}/v1/transfers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'acc_ops', to: 'acc_42', amount: 5 }),
      }),
    );
  const tampered = await fetch(signed.url, {
    method: 'POST',
    headers: Object.fromEntries(signed.headers),
    body: JSON.stringify({ from: 'acc_ops', to: 'acc_666', amount: 500_000 }),
  });
  const body = (await tampered.json()) as { reason?: string };
  record('(attacker)', 'tamper with a signed transfer', 'digest_mismatch', {
    code: body.reason ?? `HTTP ${tampered.status}`,
    detail: `backend answered HTTP ${tampered.status} before processing anything`,
  });
}

for (const session of sessions) await session.client.close();
await server.crm.guard.flush();

// The table.
console.log(
  bold('\nAgentGuard demo') +
    dim(' — the official MCP client calling guarded tools over Streamable HTTP\n'),
);
let mismatches = 0;
printTable(
  ['', 'who', 'does', 'outcome', 'why'],
  rows.map((r) => {
    const ok = r.got === r.expected;
    if (!ok) mismatches += 1;
    const color = !ok ? red : r.got === 'allowed' || r.got === 'approved' ? green : yellow;
    return [
      ok ? green('✔') : red('✘'),
      r.who,
      r.what,
      color(r.got) + (ok ? '' : red(` (expected ${r.expected})`)),
      r.why,
    ];
  }),
);

// What masking did to the record the agent asked for.
console.log(
  `\n${bold('masked output')} ${dim('(crm.lookup_customer cus_ada, as the agent received it)')}`,
);
for (const [key, value] of Object.entries(masked.result?.structuredContent ?? {})) {
  console.log(`  ${dim(key.padEnd(12))} ${String(value)}`);
}

// What the backend saw, and the audit trail.
console.log(
  `\n${bold('backend')}: ${backend.transfers.length} transfers accepted, ${backend.refused()} refused`,
);
for (const t of backend.transfers) {
  console.log(
    dim(
      `  ${t.transferId} ${t.amount} for ${t.requestedFor.subject}@${t.requestedFor.tenantId} via ${t.requestedFor.agentId ?? '-'}, decision ${t.decisionId}${t.approved ? ', with approval receipt' : ''}`,
    ),
  );
}
const events = server.crm.audit.events;
const byCode = new Map<string, number>();
for (const e of events) byCode.set(e.code ?? e.outcome, (byCode.get(e.code ?? e.outcome) ?? 0) + 1);
const tokenLeaked = Object.values(tokens).some((t) => JSON.stringify(events).includes(t));
console.log(
  `${bold('audit')}: ${events.length} events, one per tool call — ` +
    [...byCode].map(([k, v]) => `${k} ${v}`).join(', '),
);
console.log(
  dim(
    `  tokens in the audit trail: ${tokenLeaked ? red('FOUND') : 'none'}; raw arguments kept masked`,
  ),
);
const lookup = events.find((e) => e.tool === 'crm.lookup_customer' && e.outcome === 'allowed');
if (lookup) console.log(dim(`  e.g. ${cyan(short(JSON.stringify(lookup), 220))}`));

await server.close();
await backend.close();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (mismatches > 0 || tokenLeaked) {
  console.log(
    red(`\n${mismatches} scenario(s) did not produce the expected outcome (${seconds}s)`),
  );
  process.exit(1);
}
console.log(green(`\nall ${rows.length} scenarios produced the expected outcome (${seconds}s)`));
