import type { Guard, MemoryAuditSink } from '@agentguard/core';
import { expect, it } from 'vitest';
import { APPROVAL_META_KEY, CODE_META_KEY, DECISION_META_KEY } from '../src/index.js';
import { TOKENS } from './fixtures/guard.js';

/** What the tests need of an MCP client of either SDK major. */
export interface TestClient {
  callTool(params: {
    name: string;
    arguments?: Record<string, unknown>;
    _meta?: Record<string, unknown>;
  }): Promise<unknown>;
  listTools(): Promise<{ tools: { name: string; inputSchema?: unknown; annotations?: unknown }[] }>;
  close(): Promise<void>;
}

export type Connect = (token: string) => Promise<TestClient>;

/** Status and challenge of one HTTP response a client received. */
export interface Seen {
  status: number;
  wwwAuthenticate: string | null;
}

/** A client `fetch` that notes the status and challenge of every response in `seen`. */
export function recordingFetch(seen: Seen[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    seen.push({
      status: response.status,
      wwwAuthenticate: response.headers.get('www-authenticate'),
    });
    return response;
  };
}

/**
 * What a `guardMcpHandler` endpoint must show over HTTP, whatever SDK major is behind it: 401
 * challenges before MCP runs, step-up as the RFC 9470 challenge, and an audit of every call
 * without a token. `connect` opens a client that records its responses in `seen`; `url` is read
 * when the tests run. Call it last in the suite (the audit test reads what the others did).
 */
export function httpChallenges(
  connect: (token: string, seen?: Seen[]) => Promise<TestClient>,
  url: () => string,
  options: { resourceMetadataUrl: string; guard: Guard; audit: MemoryAuditSink },
) {
  const { resourceMetadataUrl, guard, audit } = options;

  it('answers a missing or bad token with 401 and a Bearer challenge before MCP runs', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const missing = await fetch(url(), { method: 'POST', body, headers });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe(
      `Bearer realm="mcp", resource_metadata="${resourceMetadataUrl}"`,
    );
    const bad = await fetch(url(), {
      method: 'POST',
      body,
      headers: { ...headers, authorization: 'Bearer not-a-token' },
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await bad.text()).not.toContain('not-a-token');
    await expect(connect('not-a-token')).rejects.toThrow();
  });

  it('answers a step-up rejection with 401 insufficient_user_authentication (RFC 9470)', async () => {
    const seen: Seen[] = [];
    const client = await connect(TOKENS.admin, seen);
    try {
      await expect(client.callTool({ name: 'admin.export', arguments: {} })).rejects.toThrow();
      expect(seen.find((s) => s.status === 401)?.wwwAuthenticate).toBe(
        `Bearer realm="mcp", resource_metadata="${resourceMetadataUrl}", ` +
          'error="insufficient_user_authentication", ' +
          'error_description="stronger authentication required", acr_values="mfa", max_age=300',
      );
    } finally {
      await client.close();
    }
    const mfa = await connect(TOKENS.adminMfa);
    try {
      const ok = (await mfa.callTool({ name: 'admin.export', arguments: {} })) as {
        content: { text: string }[];
      };
      expect(ok.content[0]!.text).toBe('export started');
    } finally {
      await mfa.close();
    }
  });

  it('audits every call, rejections included, and never a token', async () => {
    await guard.flush();
    const outcomes = new Set(audit.events.map((e) => e.code ?? e.outcome));
    for (const code of [
      'allowed',
      'forbidden',
      'invalid_input',
      'approval_required',
      'step_up_required',
    ]) {
      expect(outcomes).toContain(code);
    }
    const events = JSON.stringify(audit.events);
    for (const token of Object.values(TOKENS)) expect(events).not.toContain(token);
  });
}

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
}

/** Calls a tool and returns its result (rejections are results, not exceptions). */
export async function call(
  client: TestClient,
  name: string,
  args: Record<string, unknown>,
  meta?: Record<string, unknown>,
): Promise<ToolResult> {
  return (await client.callTool({
    name,
    arguments: args,
    ...(meta ? { _meta: meta } : {}),
  })) as ToolResult;
}

/**
 * The behaviour every SDK major and transport must show. `connect` opens a client that
 * authenticates with a token (header over HTTP, environment over stdio).
 */
export function contract(connect: Connect, options: { approvals?: (id: string) => void } = {}) {
  it('runs an allowed call and returns structured content with the decision id', async () => {
    const client = await connect(TOKENS.viewer);
    try {
      const result = await call(client, 'crm.get_customer', { id: 'c-1' });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({
        id: 'c-1',
        name: 'Ada',
        email: 'ada@example.com',
        by: 'viewer-1',
      });
      expect(JSON.parse(result.content[0]!.text!)).toEqual(result.structuredContent);
      expect(result._meta?.[DECISION_META_KEY]).toMatch(/\S+/);
    } finally {
      await client.close();
    }
  });

  it('answers a forbidden call with an error result carrying the code', async () => {
    const client = await connect(TOKENS.viewer);
    try {
      const result = await call(client, 'crm.delete_customer', { id: 'c-1' });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toMatchObject({ code: 'forbidden', status: 403 });
      expect(result.structuredContent?.['decisionId']).toEqual(expect.any(String));
      expect(result._meta?.[CODE_META_KEY]).toBe('forbidden');
      expect(result.content[0]!.text).toBe('forbidden: not allowed to call this tool');
    } finally {
      await client.close();
    }
  });

  it('rejects invalid and unknown arguments strictly, after authentication', async () => {
    const client = await connect(TOKENS.viewer);
    try {
      const empty = await call(client, 'crm.get_customer', { id: '' });
      expect(empty.structuredContent).toMatchObject({ code: 'invalid_input' });
      expect(empty.structuredContent?.['issues']).toEqual([
        expect.objectContaining({ path: '$.id' }),
      ]);
      const extra = await call(client, 'crm.get_customer', { id: 'c-1', admin: true });
      expect(extra.isError).toBe(true);
      expect(extra.structuredContent).toMatchObject({ code: 'invalid_input' });
      const wrongType = await call(client, 'crm.get_customer', { id: 42 });
      expect(wrongType.structuredContent).toMatchObject({ code: 'invalid_input' });
    } finally {
      await client.close();
    }
  });

  it('lists each caller only the tools it may call, with the strict input schema', async () => {
    const viewer = await connect(TOKENS.viewer);
    const admin = await connect(TOKENS.admin);
    try {
      const viewerTools = (await viewer.listTools()).tools;
      expect(viewerTools.map((t) => t.name).sort()).toEqual([
        'crm.get_customer',
        'crm.search',
        'payments.refund',
        'whoami',
      ]);
      const get = viewerTools.find((t) => t.name === 'crm.get_customer')!;
      expect(get.inputSchema).toMatchObject({
        type: 'object',
        properties: { id: { type: 'string', minLength: 1 } },
        required: ['id'],
        additionalProperties: false,
      });
      expect(get.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      const adminTools = (await admin.listTools()).tools.map((t) => t.name);
      expect(adminTools).toContain('crm.delete_customer');
      expect(adminTools).toContain('admin.export');
    } finally {
      await viewer.close();
      await admin.close();
    }
  });

  it('guards tools registered through guardServer and gives them the principal', async () => {
    const client = await connect(TOKENS.viewer);
    try {
      const result = await call(client, 'whoami', {});
      expect(result.isError).toBeFalsy();
      expect(result.content[0]!.text).toBe('viewer-1');
      const rejected = await call(client, 'whoami', { sneaky: 1 });
      expect(rejected.structuredContent).toMatchObject({ code: 'invalid_input' });
    } finally {
      await client.close();
    }
  });

  it('refuses a tool registered past guardServer like a name no tool has, and hides it', async () => {
    const client = await connect(TOKENS.viewer);
    try {
      const raw = await call(client, 'raw.echo', {});
      expect(raw.isError).toBe(true);
      const { decisionId, ...refusal } = raw.structuredContent as Record<string, unknown>;
      expect(refusal).toEqual({
        code: 'forbidden',
        message: 'not allowed to call this tool',
        status: 403,
        reason: 'unknown_tool',
      });
      // The refusal is audited: its decision id is the audit event's.
      expect(decisionId).toEqual(expect.any(String));
      expect(JSON.stringify(raw)).not.toContain('raw handler ran');
      // Indistinguishable from a name no tool has, but for the decision id of each call.
      const unknown = await call(client, 'no.such.tool', {});
      const { decisionId: otherId, ...otherRefusal } = unknown.structuredContent as Record<
        string,
        unknown
      >;
      expect(otherRefusal).toEqual(refusal);
      expect(unknown.content).toEqual(raw.content);
      expect(otherId).not.toBe(decisionId);
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('raw.echo');
    } finally {
      await client.close();
    }
  });

  it('answers approval_required with the id, and consumes an approval presented in _meta', async () => {
    const client = await connect(TOKENS.viewer);
    try {
      const args = { orderId: 'o-1', amount: 500 };
      const first = await call(client, 'payments.refund', args);
      expect(first.isError).toBe(true);
      expect(first.structuredContent).toMatchObject({ code: 'approval_required', status: 202 });
      const approvalId = first.structuredContent?.['approvalId'] as string;
      expect(approvalId).toMatch(/^apr_/);

      const bogus = await call(client, 'payments.refund', args, {
        [APPROVAL_META_KEY]: 'apr_forged',
      });
      expect(bogus.structuredContent).toMatchObject({ code: 'approval_invalid' });
      const malformed = await call(client, 'payments.refund', args, {
        [APPROVAL_META_KEY]: { $ne: null },
      });
      expect(malformed.structuredContent).toMatchObject({ code: 'approval_invalid' });

      if (options.approvals) {
        options.approvals(approvalId);
        const approved = await call(client, 'payments.refund', args, {
          [APPROVAL_META_KEY]: approvalId,
        });
        expect(approved.isError).toBeFalsy();
        expect(approved.structuredContent).toEqual({ refunded: 'o-1', amount: 500, approvalId });
        // Single use, and `_meta.approvalId` is read too.
        const replay = await call(client, 'payments.refund', args, { approvalId });
        expect(replay.structuredContent).toMatchObject({ code: 'approval_invalid' });
      }
    } finally {
      await client.close();
    }
  });

  it('answers rate_limited with retryAfter once the limit is spent', async () => {
    const client = await connect(TOKENS.admin);
    try {
      const codes: unknown[] = [];
      let last: ToolResult | undefined;
      for (let i = 0; i < 3; i += 1) {
        last = await call(client, 'crm.search', { q: 'ada' });
        codes.push(last.structuredContent?.['code'] ?? 'ok');
      }
      expect(codes).toEqual(['ok', 'ok', 'rate_limited']);
      expect(last?.structuredContent).toMatchObject({ code: 'rate_limited', limit: 2 });
      expect(last?.structuredContent?.['retryAfter']).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
}
