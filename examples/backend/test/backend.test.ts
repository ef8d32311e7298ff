import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigner } from '@agentguard/hmac-signing';
import { startBackend, type Backend } from '../src/backend.js';

const key = { id: 'guard-test', alg: 'hmac-sha256' as const, secret: randomBytes(32) };
let backend: Backend;
beforeAll(async () => {
  backend = await startBackend({ keys: [key] });
});
afterAll(() => backend.close());

const identity = {
  subject: 'user:ada',
  tenantId: 'acme',
  roles: ['payments'],
  agentId: 'agent:finance-bot',
  decisionId: '019a0000-0000-7000-8000-000000000001',
  tool: 'payments.transfer',
};

describe('payments backend', () => {
  it('accepts a call signed by the guard and sees whom it is for', async () => {
    const signer = createSigner({ keys: [key] }).forCall(identity);
    const response = await signer.fetch(`${backend.url}/v1/transfers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'acc_1', to: 'acc_2', amount: 25 }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      amount: 25,
      requestedFor: { subject: 'user:ada', tenantId: 'acme', agentId: 'agent:finance-bot' },
      decisionId: identity.decisionId,
      approved: false,
    });
  });

  it('refuses unsigned, tampered and replayed calls before processing them', async () => {
    const before = backend.transfers.length;
    const unsigned = await fetch(`${backend.url}/v1/transfers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'a', to: 'b', amount: 1 }),
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({
      error: 'invalid_signature',
      reason: 'missing_signature',
    });

    const signed = await createSigner({ keys: [key] })
      .forCall(identity)
      .sign(
        new Request(`${backend.url}/v1/transfers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ from: 'a', to: 'b', amount: 1 }),
        }),
      );
    const headers = Object.fromEntries(signed.headers);
    const tampered = await fetch(signed.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ from: 'a', to: 'b', amount: 1_000_000 }),
    });
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { reason: string }).reason).toBe('digest_mismatch');

    const body = JSON.stringify({ from: 'a', to: 'b', amount: 1 });
    const first = await fetch(signed.url, { method: 'POST', headers, body });
    expect(first.status).toBe(201);
    const replay = await fetch(signed.url, { method: 'POST', headers, body });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { reason: string }).reason).toBe('replayed');
    expect(backend.transfers.length).toBe(before + 1);
    expect(backend.refused()).toBe(3);
  });
});
