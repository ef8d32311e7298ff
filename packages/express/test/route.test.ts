import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ForbiddenError,
  RateLimitedError,
  StepUpRequiredError,
  UnauthenticatedError,
  createGuard,
  fail,
  memoryAuditSink,
  ok,
  type Principal,
} from '@agentguard/core';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExpressGuard, type RouteGuardLocals } from '../src/index.js';
import { challengeFor } from '@agentguard/core';

function principal(subject: string, roles: string[], acr?: string): Principal {
  return {
    subject,
    tenantId: 'tenant-a',
    roles,
    permissions: [],
    scopes: [],
    authLevel: acr === undefined ? {} : { acr },
    claims: {},
    authenticatedBy: 'table',
  };
}

const TABLE: Record<string, Principal> = {
  'tok-viewer': principal('viewer-1', ['viewer']),
  'tok-admin': principal('admin-1', ['viewer', 'admin']),
};

const audit = memoryAuditSink();
const guard = createGuard({
  authenticator: {
    kind: 'authenticator',
    name: 'table',
    authenticate({ token }) {
      if (token === undefined) return fail(new UnauthenticatedError());
      const found = TABLE[token];
      return found ? ok(found) : fail(new UnauthenticatedError('invalid token'));
    },
  },
  accessControl: {
    kind: 'access_control',
    name: 'roles',
    authorize(p, tool) {
      const needs = tool.operation === 'delete' ? 'admin' : 'viewer';
      return p.roles.includes(needs) ? ok({ matchedRules: [needs] }) : fail(new ForbiddenError());
    },
  },
  policy: {
    kind: 'policy',
    name: 'test',
    evaluate({ tool, principal: p }) {
      if (tool.name === 'admin.export' && p.authLevel.acr !== 'mfa') {
        return {
          ok: false,
          matched: [],
          error: new StepUpRequiredError({ acrValues: ['mfa', 'hwk'], maxAge: 60 }),
        };
      }
      if (tool.name === 'reports.read' && !p.roles.includes('admin')) {
        return { ok: false, matched: [], error: new StepUpRequiredError({ scopes: ['reports'] }) };
      }
      return tool.name === 'payments.refund'
        ? { ok: true, matched: [], obligations: { approval: { flowId: 'finance' } } }
        : { ok: true, matched: [] };
    },
  },
  approvals: {
    kind: 'approvals',
    name: 'test',
    request: () => Promise.resolve({ approvalId: 'apr_1' }),
    consume: () => Promise.resolve(ok({ approvalId: 'apr_1' })),
  },
  rateLimits: [{ id: 'orders', limit: 2, windowMs: 60_000, tools: ['orders.list'] }],
  audit: { sinks: [audit] },
});

const { guardRoute } = createExpressGuard(guard, {
  realm: 'api',
  bodyLimit: 1024,
  approvalLocation: (id) => `/approvals/${id}`,
});

const app = express();
app.set('trust proxy', 'loopback');
app.get(
  '/customers/:id',
  guardRoute(
    'crm.get_customer',
    { input: z.object({ id: z.string(), fields: z.string().optional() }), operation: 'read' },
    ({ id, fields }, { principal: p, call }) => ({
      id,
      fields: fields ?? null,
      by: p.subject,
      ip: call.ip,
    }),
  ),
);
app.post(
  '/customers/:id/notes',
  guardRoute(
    'crm.add_note',
    { input: z.object({ id: z.string(), text: z.string().max(200) }), operation: 'write' },
    ({ id, text }) => ({ id, text }),
  ),
);
app.delete(
  '/customers/:id',
  guardRoute(
    'crm.delete_customer',
    { input: z.object({ id: z.string() }), operation: 'delete' },
    () => undefined,
  ),
);
app.get(
  '/orders',
  guardRoute(
    'orders.list',
    { input: z.object({ page: z.coerce.number().int().min(1) }), operation: 'read' },
    ({ page }) => ({ page }),
  ),
);
app.get(
  '/export',
  guardRoute('admin.export', { input: z.object({}), operation: 'read' }, () => ({ ok: true })),
);
app.get(
  '/reports',
  guardRoute('reports.read', { input: z.object({}), operation: 'read' }, () => ({ ok: true })),
);
app.post(
  '/refunds',
  guardRoute(
    'payments.refund',
    { input: z.object({ amount: z.number() }), operation: 'write' },
    ({ amount }) => ({ amount }),
  ),
);
app.post(
  '/gate/:id',
  guardRoute('gate.only', { input: z.object({ id: z.string() }), operation: 'write' }),
  (_req, res) => {
    const locals = res.locals['agentguard'] as RouteGuardLocals;
    res.json({ args: locals.args, subject: locals.context.principal.subject });
  },
);
app.get(
  '/throws',
  guardRoute('broken', { input: z.object({}), operation: 'read' }, () => {
    throw new Error('db password is hunter2');
  }),
);

let server: Server;
let base = '';
beforeAll(async () => {
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function req(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`);
  if (typeof init.body === 'string') headers.set('content-type', 'application/json');
  return fetch(base + path, { ...init, headers });
}

describe('guardRoute on Express 5', () => {
  it('runs an allowed call with params and query as arguments', async () => {
    const res = await req('/customers/c-1?fields=name', { token: 'tok-viewer' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: 'c-1',
      fields: 'name',
      by: 'viewer-1',
      ip: '127.0.0.1',
    });
  });

  it('takes the body as arguments and answers 204 for an empty result', async () => {
    const note = await req('/customers/c-1/notes', {
      method: 'POST',
      token: 'tok-viewer',
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(await note.json()).toEqual({ id: 'c-1', text: 'hello' });
    const deleted = await req('/customers/c-1', { method: 'DELETE', token: 'tok-admin' });
    expect(deleted.status).toBe(204);
  });

  it('refuses a key given in two places instead of letting one shadow the other', async () => {
    const res = await req('/customers/c-1/notes?id=c-2', {
      method: 'POST',
      token: 'tok-viewer',
      body: JSON.stringify({ id: 'c-3', text: 'x' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; issues: { path: string }[] };
    expect(body.code).toBe('invalid_input');
    expect(body.issues.map((i) => i.path)).toEqual(['$.id', '$.id']);
  });

  it('refuses prototype-polluting keys and non-object bodies', async () => {
    const proto = await req('/customers/c-1/notes', {
      method: 'POST',
      token: 'tok-viewer',
      body: '{"text":"x","__proto__":{"admin":true}}',
    });
    expect(proto.status).toBe(400);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
    const array = await req('/customers/c-1/notes', {
      method: 'POST',
      token: 'tok-viewer',
      body: '[1]',
    });
    expect(array.status).toBe(400);
    const broken = await req('/customers/c-1/notes', {
      method: 'POST',
      token: 'tok-viewer',
      body: '{"text":',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ reason: 'invalid_json' });
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await req('/customers/c-1/notes', {
      method: 'POST',
      token: 'tok-viewer',
      body: JSON.stringify({ text: 'x'.repeat(5000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ reason: 'body_too_large' });
  });

  it('answers 401 with a Bearer challenge, invalid_token when a token was sent', async () => {
    const missing = await req('/customers/c-1');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    const forged = await req('/customers/c-1', { token: 'tok-forged' });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="invalid token"',
    );
    expect(await forged.text()).not.toContain('tok-forged');
  });

  it('answers 403 forbidden and 400 invalid input from the error table', async () => {
    const forbidden = await req('/customers/c-1', { method: 'DELETE', token: 'tok-viewer' });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({
      code: 'forbidden',
      decisionId: expect.any(String),
    });
    const invalid = await req('/orders?page=zero', { token: 'tok-viewer' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ code: 'invalid_input' });
  });

  it('sends RateLimit headers on success and 429 with Retry-After when exhausted', async () => {
    const first = await req('/orders?page=1', { token: 'tok-admin' });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"orders";q=2;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"orders";r=1;t=\d+$/);
    await req('/orders?page=1', { token: 'tok-admin' });
    const limited = await req('/orders?page=1', { token: 'tok-admin' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit')).toMatch(/^"orders";r=0;t=\d+$/);
    expect(limited.headers.get('ratelimit-policy')).toBe('"orders";q=2;w=60');
    expect(await limited.json()).toMatchObject({ code: 'rate_limited', limit: 2 });
  });

  it('answers step-up with the RFC 9470 challenge, and scope step-up with 403 insufficient_scope', async () => {
    const acr = await req('/export', { token: 'tok-admin' });
    expect(acr.status).toBe(401);
    expect(acr.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_user_authentication", ' +
        'error_description="stronger authentication required", acr_values="mfa hwk", max_age=60',
    );
    const scope = await req('/reports', { token: 'tok-viewer' });
    expect(scope.status).toBe(403);
    expect(scope.headers.get('www-authenticate')).toContain('error="insufficient_scope", ');
    expect(scope.headers.get('www-authenticate')).toContain('scope="reports"');
  });

  it('answers approval_required with 202, the id and Location; consumes it from the header', async () => {
    const pending = await req('/refunds', {
      method: 'POST',
      token: 'tok-viewer',
      body: '{"amount":5}',
    });
    expect(pending.status).toBe(202);
    expect(pending.headers.get('location')).toBe('/approvals/apr_1');
    expect(await pending.json()).toMatchObject({ code: 'approval_required', approvalId: 'apr_1' });
    const approved = await req('/refunds', {
      method: 'POST',
      token: 'tok-viewer',
      body: '{"amount":5}',
      headers: { 'agentguard-approval-id': 'apr_1' },
    });
    expect(approved.status).toBe(200);
    const malformed = await req('/refunds', {
      method: 'POST',
      token: 'tok-viewer',
      body: '{"amount":5}',
      headers: { 'agentguard-approval-id': 'a b' },
    });
    expect(malformed.status).toBe(403);
  });

  it('works as a gate in front of another handler', async () => {
    const res = await req('/gate/g-1', { method: 'POST', token: 'tok-viewer' });
    expect(await res.json()).toEqual({ args: { id: 'g-1' }, subject: 'viewer-1' });
    const denied = await req('/gate/g-1', { method: 'POST' });
    expect(denied.status).toBe(401);
  });

  it('keeps handler failures on the server', async () => {
    const res = await req('/throws', { token: 'tok-viewer' });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toMatchObject({ code: 'handler_error', message: 'tool failed' });
  });

  it('audits every call without the token', async () => {
    await guard.flush();
    expect(audit.events.length).toBeGreaterThan(10);
    expect(JSON.stringify(audit.events)).not.toContain('tok-viewer');
  });
});

describe('challengeFor (core), as guardRoute uses it', () => {
  it('drops quotes, backslashes and control characters from parameter values', () => {
    const error = new UnauthenticatedError('bad "token"\r\nx: y');
    const challenge = challengeFor(error, { realm: 'a"b', tokenPresented: true });
    expect(challenge?.wwwAuthenticate).toBe(
      'Bearer realm="ab", error="invalid_token", error_description="bad tokenx: y"',
    );
  });

  it('prefers the authenticator own challenge and has none for other rejections', () => {
    const own = new UnauthenticatedError(undefined, { wwwAuthenticate: 'DPoP algs="ES256"' });
    expect(challengeFor(own)).toEqual({ status: 401, wwwAuthenticate: 'DPoP algs="ES256"' });
    expect(challengeFor(new RateLimitedError(1, 1, 1))).toBeUndefined();
  });
});
