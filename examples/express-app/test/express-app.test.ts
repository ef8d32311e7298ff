import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '@agentguard-examples/backend';
import {
  LOA_MFA,
  createDevIdentityProvider,
  type DevIdentityProvider,
} from '@agentguard-examples/mcp-server';
import { startExpressApp, type RunningExpressApp } from '../src/app.js';

const signingKey = { id: 'guard-test', alg: 'hmac-sha256' as const, secret: randomBytes(32) };
let idp: DevIdentityProvider;
let backend: Backend;
let app: RunningExpressApp;
beforeAll(async () => {
  idp = await createDevIdentityProvider();
  backend = await startBackend({ keys: [signingKey] });
  app = await startExpressApp({
    idp,
    signingKey,
    backendUrl: backend.url,
    maskingKey: randomBytes(32).toString('base64'),
  });
});
afterAll(async () => {
  await app.close();
  await backend.close();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the example REST API', () => {
  it('401 with a challenge without a token; masked data with one', async () => {
    const anonymous = await fetch(`${app.url}/customers/cus_ada`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="mcp"/);
    const ada = await idp.mint({ subject: 'user:ada', tenant: 'acme', roles: ['support'] });
    const ok = await fetch(`${app.url}/customers/cus_ada`, { headers: auth(ada) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      customerId: 'cus_ada',
      email: '[EMAIL]',
      card: '**** **** **** 1111',
    });
  });

  it('refuses a token in the query string (RFC 6750 §2.3), even a valid one', async () => {
    const ada = await idp.mint({ subject: 'user:ada', tenant: 'acme', roles: ['support'] });
    const response = await fetch(`${app.url}/customers/cus_ada?access_token=${ada}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      code: 'unauthenticated',
      reason: 'token_in_query',
    });
    await app.stages.guard.flush();
    expect(JSON.stringify(app.stages.audit.events)).not.toContain(ada);
  });

  it('maps rejections to statuses and headers', async () => {
    const ada = await idp.mint({
      subject: 'user:ada',
      tenant: 'acme',
      roles: ['support', 'payments'],
    });
    const forbidden = await fetch(`${app.url}/customers/cus_ada`, {
      method: 'DELETE',
      headers: auth(ada),
    });
    expect(forbidden.status).toBe(403);
    const invalid = await fetch(`${app.url}/transfers`, {
      method: 'POST',
      headers: { ...auth(ada), 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'acc_a', to: 'acc_b', amount: -1 }),
    });
    expect(invalid.status).toBe(400);
    const stepUp = await fetch(`${app.url}/transfers`, {
      method: 'POST',
      headers: { ...auth(ada), 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'acc_a', to: 'acc_b', amount: 5000 }),
    });
    expect(stepUp.status).toBe(401);
    expect(stepUp.headers.get('www-authenticate')).toContain(
      'error="insufficient_user_authentication"',
    );
    expect(stepUp.headers.get('www-authenticate')).toContain(`acr_values="${LOA_MFA}"`);
    const mfa = await idp.mint({
      subject: 'user:ada',
      tenant: 'acme',
      roles: ['payments'],
      acr: LOA_MFA,
      authenticatedSecondsAgo: 5,
    });
    const sent = await fetch(`${app.url}/transfers`, {
      method: 'POST',
      headers: { ...auth(mfa), 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'acc_a', to: 'acc_b', amount: 5000 }),
    });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({
      amount: 5000,
      requestedFor: { subject: 'user:ada', tenantId: 'acme' },
    });
    const approval = await fetch(`${app.url}/transfers`, {
      method: 'POST',
      headers: { ...auth(mfa), 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'acc_a', to: 'acc_b', amount: 50_000 }),
    });
    expect(approval.status).toBe(202);
    expect(await approval.json()).toMatchObject({ code: 'approval_required' });
  });

  it('rate limits lookups with Retry-After and RateLimit headers', async () => {
    const bob = await idp.mint({ subject: 'user:bob', tenant: 'acme', roles: ['support'] });
    let last: Response | undefined;
    for (let i = 0; i < 6; i++)
      last = await fetch(`${app.url}/customers/cus_alan`, { headers: auth(bob) });
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last?.headers.get('ratelimit-policy')).toContain('crm-lookups');
  });
});
