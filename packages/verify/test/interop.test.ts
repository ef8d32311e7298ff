import {
  httpbis,
  createSigner as theirSigner,
  createVerifier as theirVerifier,
} from 'http-message-signatures';
import { describe, expect, it } from 'vitest';
import { createContentDigest, encodeIdentityHeaders } from '@agentguard/hmac-signing';
import { createVerifier } from '../src/index.js';
import { IDENTITY, KEYS, SECRET, signedPost } from './helpers.js';

const COVERED = [
  '@method',
  '@target-uri',
  'content-digest',
  'content-type',
  'agentguard-subject',
  'agentguard-tenant',
  'agentguard-roles',
  'agentguard-agent',
  'agentguard-decision-id',
  'agentguard-tool',
];

async function theirSignedRequest(
  fields: string[],
  url = 'https://orders.internal/v1/orders?region=eu',
) {
  const body = '{"sku":"A-1","qty":2}';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-digest': createContentDigest(new TextEncoder().encode(body)),
    ...Object.fromEntries(encodeIdentityHeaders(IDENTITY)),
  };
  const signed = await httpbis.signMessage(
    {
      key: theirSigner(SECRET, 'hmac-sha256', 'k1'),
      name: 'agentguard',
      fields,
      params: ['created', 'expires', 'nonce', 'keyid', 'alg'],
      paramValues: { nonce: `interop-${Math.random().toString(36).slice(2)}-nonce` },
    },
    { method: 'POST', url, headers },
  );
  return new Request(url, {
    method: 'POST',
    headers: signed.headers,
    body,
  });
}

describe('interop with http-message-signatures 1.0.6', () => {
  it('their hmac-sha256 signature (covering @target-uri) verifies with ours', async () => {
    const result = await createVerifier({ keys: KEYS }).verify(await theirSignedRequest(COVERED));
    expect(result.ok && result.identity).toMatchObject({
      subject: IDENTITY.subject,
      tenantId: IDENTITY.tenantId,
      tool: IDENTITY.tool,
    });
  });

  it('their signature covering @authority, @path and @query verifies with ours', async () => {
    const fields = COVERED.filter((f) => f !== '@target-uri').concat([
      '@authority',
      '@path',
      '@query',
    ]);
    const result = await createVerifier({ keys: KEYS }).verify(await theirSignedRequest(fields));
    expect(result.ok).toBe(true);
  });

  it('their signature with a different secret fails with ours', async () => {
    const result = await createVerifier({
      keys: [{ id: 'k1', alg: 'hmac-sha256', secret: Buffer.alloc(32, 5) }],
    }).verify(await theirSignedRequest(COVERED));
    expect(result.ok ? 'ok' : result.reason).toBe('bad_signature');
  });

  it('our signature verifies with theirs, and a tampered one does not', async () => {
    const signed = await signedPost();
    const headers: Record<string, string> = {};
    signed.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const config = {
      keyLookup: async () => ({
        id: 'k1',
        algs: ['hmac-sha256'],
        verify: theirVerifier(SECRET, 'hmac-sha256'),
      }),
      requiredFields: ['@method', '@target-uri', 'content-digest', 'agentguard-tenant'],
    };
    // Their verifier compares with the current time; ours signed at a fixed clock in the past.
    await expect(
      httpbis.verifyMessage(
        { ...config, tolerance: 1e10 },
        { method: signed.method, url: signed.url, headers },
      ),
    ).resolves.toBe(true);
    await expect(
      httpbis.verifyMessage(
        { ...config, tolerance: 1e10 },
        { method: 'DELETE', url: signed.url, headers },
      ),
    ).resolves.toBe(false);
  });
});
