import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { verifyReceipt } from '@agentguard/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '@agentguard-examples/backend';
import {
  APPROVER_AUDIENCE,
  LOA_MFA,
  createDevIdentityProvider,
  startMcpServer,
  type DevIdentityProvider,
  type RunningMcpServer,
} from '../src/index.js';

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

const signingKey = { id: 'guard-test', alg: 'hmac-sha256' as const, secret: randomBytes(32) };
const agent = { id: 'agent:finance-bot', sponsor: 'user:ada', riskTier: 'low' };
let idp: DevIdentityProvider;
let backend: Backend;
let server: RunningMcpServer;
const clients: Client[] = [];

async function connect(token: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.mcpUrl), {
      requestInit: { headers: { ...headers, authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  meta?: Record<string, unknown>,
) {
  return (await client.callTool({
    name,
    arguments: args,
    ...(meta ? { _meta: meta } : {}),
  })) as ToolResult;
}

beforeAll(async () => {
  idp = await createDevIdentityProvider();
  backend = await startBackend({ keys: [signingKey] });
  server = await startMcpServer({
    idp,
    signingKey,
    backendUrl: backend.url,
    maskingKey: randomBytes(32).toString('base64'),
  });
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await server.close();
  await backend.close();
});

describe('the example MCP server', () => {
  it('answers a missing token with 401 and points clients at its metadata', async () => {
    const response = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="mcp", resource_metadata="${server.url}/.well-known/oauth-protected-resource/mcp"`,
    );
    const metadata = (await (
      await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`)
    ).json()) as { authorization_servers: string[] };
    expect(metadata.authorization_servers).toEqual([idp.issuer]);
  });

  it('masks personal data, and tokenizes for EU callers', async () => {
    const ada = await connect(
      await idp.mint({ subject: 'user:ada', tenant: 'acme', roles: ['support'], agent }),
    );
    const result = await call(ada, 'crm.lookup_customer', { customerId: 'cus_ada' });
    expect(result.structuredContent).toMatchObject({
      name: '[PERSON]',
      email: '[EMAIL]',
      card: '**** **** **** 1111',
    });
    expect(JSON.stringify(result)).not.toContain('ada.lovelace@example.com');
    const eu = await connect(
      await idp.mint({ subject: 'user:ada', tenant: 'acme', roles: ['support'], agent }),
      { 'x-client-country': 'FR' },
    );
    const euResult = await call(eu, 'crm.lookup_customer', { customerId: 'cus_ada' });
    expect(String(euResult.structuredContent?.['email'])).toMatch(/^agtok_v1\./);
  });

  it('isolates tenants and enforces roles', async () => {
    const mallory = await connect(
      await idp.mint({ subject: 'user:mallory', tenant: 'globex', roles: ['support'] }),
    );
    expect(
      (await call(mallory, 'crm.lookup_customer', { customerId: 'cus_ada' })).structuredContent,
    ).toMatchObject({ code: 'forbidden', reason: 'not_in_tenant' });
    expect((await mallory.listTools()).tools.map((t) => t.name)).toEqual(['crm.lookup_customer']);
    expect(
      (await call(mallory, 'admin.delete_customer', { customerId: 'cus_hank' })).structuredContent,
    ).toMatchObject({ code: 'forbidden', reason: 'role_missing' });
  });

  it('steps up, asks for approval, and forwards signed calls the backend verifies', async () => {
    const base = { subject: 'user:ada', tenant: 'acme', roles: ['payments'], agent };
    const mfa = await connect(
      await idp.mint({ ...base, acr: LOA_MFA, authenticatedSecondsAgo: 5 }),
    );
    const args = { from: 'acc_a', to: 'acc_b', amount: 20_000 };
    const pending = await call(mfa, 'payments.transfer', args);
    expect(pending.structuredContent).toMatchObject({ code: 'approval_required' });
    const approvalId = String(pending.structuredContent?.['approvalId']);

    // The requester cannot decide, even with an approvers'-plane token of their own.
    const adaApprover = await idp.mint({
      subject: 'user:ada',
      tenant: 'acme',
      roles: ['approver'],
      audience: APPROVER_AUDIENCE,
    });
    const self = await fetch(`${server.url}/approvals/${approvalId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adaApprover}` },
    });
    expect(self.status).toBe(403);
    expect(await self.json()).toMatchObject({ reason: 'separation_of_duties' });

    const grace = await idp.mint({
      subject: 'user:grace',
      tenant: 'acme',
      roles: ['approver'],
      audience: APPROVER_AUDIENCE,
    });
    const listed = (await (
      await fetch(`${server.url}/approvals`, { headers: { authorization: `Bearer ${grace}` } })
    ).json()) as { pending: { approvalId: string }[] };
    expect(listed.pending.map((p) => p.approvalId)).toContain(approvalId);
    const approved = await fetch(`${server.url}/approvals/${approvalId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${grace}` },
    });
    expect(approved.status).toBe(200);

    const done = await call(mfa, 'payments.transfer', args, {
      'agentguard/approvalId': approvalId,
    });
    expect(done.isError).toBeFalsy();
    expect(done.structuredContent).toMatchObject({
      amount: 20_000,
      approved: true,
      requestedFor: { subject: 'user:ada', tenantId: 'acme', agentId: 'agent:finance-bot' },
    });
    // Different arguments cannot ride on the approval, and it is single use.
    expect(
      (
        await call(
          mfa,
          'payments.transfer',
          { ...args, amount: 20_001 },
          { 'agentguard/approvalId': approvalId },
        )
      ).structuredContent,
    ).toMatchObject({ code: 'approval_invalid' });
    expect(
      (await call(mfa, 'payments.transfer', args, { 'agentguard/approvalId': approvalId }))
        .structuredContent,
    ).toMatchObject({ code: 'approval_invalid' });
    expect(backend.transfers.at(-1)).toMatchObject({ amount: 20_000, approved: true });
  });

  it("tells the desk's onDecision listeners when an approver decides over HTTP", async () => {
    const base = { subject: 'user:ada', tenant: 'acme', roles: ['payments'], agent };
    const mfa = await connect(
      await idp.mint({ ...base, acr: LOA_MFA, authenticatedSecondsAgo: 5 }),
    );
    const pending = await call(mfa, 'payments.transfer', {
      from: 'acc_a',
      to: 'acc_b',
      amount: 30_000,
    });
    const approvalId = String(pending.structuredContent?.['approvalId']);
    const heard: string[] = [];
    server.approvals.onDecision({ approvalId, tenantId: 'acme', subject: 'user:ada' }, (d) =>
      heard.push(d),
    );
    expect(heard).toEqual([]);
    const grace = await idp.mint({
      subject: 'user:grace',
      tenant: 'acme',
      roles: ['approver'],
      audience: APPROVER_AUDIENCE,
    });
    const rejected = await fetch(`${server.url}/approvals/${approvalId}/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${grace}` },
    });
    expect(rejected.status).toBe(200);
    expect(heard).toEqual(['rejected']);
    expect(server.approvals.watching).toBe(0);
  });

  it('issues approval receipts that verify offline', async () => {
    const desk = server.approvals;
    const principal = {
      subject: 'u1',
      tenantId: 'acme',
      roles: [],
      permissions: [],
      scopes: [],
      authLevel: {},
      claims: {},
      authenticatedBy: 't',
    };
    const tool = {
      name: 'payments.transfer',
      operation: 'write' as const,
      annotations: {},
      tags: [],
      sensitivity: 'internal' as const,
    };
    const ticket = await desk.request({
      decisionId: 'd',
      flowId: 'f',
      principal,
      tool,
      args: {},
      argsDigest: 'x'.repeat(43),
    });
    expect(
      desk.decide(
        ticket.approvalId,
        { ...principal, subject: 'boss', roles: ['approver'] },
        'approve',
      ).ok,
    ).toBe(true);
    const grant = await desk.consume({
      approvalId: ticket.approvalId,
      principal,
      tool,
      argsDigest: 'x'.repeat(43),
    });
    expect(grant.ok).toBe(true);
    const receipt = grant.ok ? grant.value.receipt! : '';
    const verified = await verifyReceipt(receipt, { jwks: desk.receiptJwks });
    expect(verified).toMatchObject({ ok: true });
  });

  it('audits every call without the token', async () => {
    await server.crm.guard.flush();
    const events = server.crm.audit.events;
    expect(events.length).toBeGreaterThanOrEqual(8);
    expect(JSON.stringify(events)).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});
