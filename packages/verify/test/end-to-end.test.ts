import { allowAllAccess, anonymousAuthenticator, createGuard } from '@agentguard/core';
import { createSigner } from '@agentguard/hmac-signing';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { verifyMiddleware, type VerifiedIdentity, type VerifiedRequest } from '../src/index.js';
import { KEYS, listen } from './helpers.js';

describe('end to end: guard → signed fetch → node:http backend with verifyMiddleware', () => {
  const seen: { identity: VerifiedIdentity; body: unknown; url: string | undefined }[] = [];
  const backend = listen((req, res) => {
    verifyMiddleware({ keys: KEYS })(req, res, () => {
      const verified = req as VerifiedRequest;
      seen.push({ identity: verified.agentguard, body: verified.body, url: req.url });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ placed: true, for: verified.agentguard.subject }));
    });
  });
  afterAll(async () => (await backend).close());

  it('the backend sees the verified subject, tenant and decision id of the guarded call', async () => {
    const { origin } = await backend;
    const guard = createGuard({
      authenticator: anonymousAuthenticator({ tenantId: 'acme', subject: 'agent-runner' }),
      accessControl: allowAllAccess(),
      signer: createSigner({ keys: KEYS }),
    });
    let decisionId: string | undefined;
    const placeOrder = guard(
      'orders.place',
      { input: z.object({ sku: z.string(), qty: z.number().int() }), operation: 'write' },
      async (args, context) => {
        decisionId = context.decisionId;
        const response = await context.signer!.fetch(`${origin}/orders?source=agent`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(args),
        });
        return (await response.json()) as { placed: boolean; for: string };
      },
    );

    const result = await placeOrder({ sku: 'A-1', qty: 2 });
    expect(result).toEqual({ placed: true, for: 'agent-runner' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.identity).toEqual({
      subject: 'agent-runner',
      tenantId: 'acme',
      roles: [],
      decisionId,
      tool: 'orders.place',
    });
    expect(seen[0]!.body).toEqual({ sku: 'A-1', qty: 2 });
    expect(seen[0]!.url).toBe('/orders?source=agent');

    // A second call gets its own decision id and nonce, and is accepted too.
    const first = decisionId;
    await placeOrder({ sku: 'B-2', qty: 1 });
    expect(seen).toHaveLength(2);
    expect(seen[1]!.identity.decisionId).toBe(decisionId);
    expect(decisionId).not.toBe(first);
  });
});
