import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReceiptVerifier, verifyReceipt, type ReceiptAlgorithm } from '../src/index.js';

const NOW = 1_750_000_000;
const CLAIMS = {
  approvalId: 'apr_1',
  tool: 'payments.refund',
  argsDigest: 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE'.replace(/\+/g, '-'),
  tenantId: 'tenant-a',
  approvers: ['bob', 'carol'],
};

const keys: Partial<Record<ReceiptAlgorithm, { privateKey: CryptoKey; publicKey: CryptoKey }>> = {};

beforeAll(async () => {
  for (const alg of ['EdDSA', 'ES256', 'RS256'] as const)
    keys[alg] = await generateKeyPair(alg, { extractable: true });
});

function receipt(
  alg: ReceiptAlgorithm,
  claims: Record<string, unknown> = CLAIMS,
  options: {
    iat?: number;
    exp?: number;
    kid?: string;
    sub?: string;
    iss?: string;
    aud?: string;
  } = {},
) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({
      alg,
      typ: 'agentguard-receipt+jwt',
      ...(options.kid ? { kid: options.kid } : {}),
    })
    .setIssuedAt(options.iat ?? NOW)
    .setExpirationTime(options.exp ?? NOW + 600);
  if (options.sub) jwt.setSubject(options.sub);
  if (options.iss) jwt.setIssuer(options.iss);
  if (options.aud) jwt.setAudience(options.aud);
  return jwt.sign(keys[alg]!.privateKey);
}

const now = () => NOW * 1000 + 5000;

describe('verifyReceipt', () => {
  it.each(['EdDSA', 'ES256', 'RS256'] as const)(
    'verifies a %s receipt offline and returns its claims',
    async (alg) => {
      const result = await verifyReceipt(await receipt(alg, CLAIMS, { sub: 'ana' }), {
        publicKey: keys[alg]!.publicKey,
        now,
      });
      expect(result).toEqual({
        ok: true,
        claims: { ...CLAIMS, requester: 'ana', issuedAt: NOW, expiresAt: NOW + 600 },
      });
    },
  );

  it('finds the key in a JWKS by kid, and refuses an unknown kid', async () => {
    const jwk = { ...(await exportJWK(keys.EdDSA!.publicKey)), kid: 'r1', alg: 'EdDSA' };
    const verify = createReceiptVerifier({ jwks: { keys: [jwk] }, now });
    expect((await verify(await receipt('EdDSA', CLAIMS, { kid: 'r1' }))).ok).toBe(true);
    expect(await verify(await receipt('EdDSA', CLAIMS, { kid: 'r9' }))).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('refuses tampered, wrongly keyed, expired and not-yet-valid receipts', async () => {
    const { publicKey } = keys.EdDSA!;
    const good = await receipt('EdDSA');
    const [h, , s] = good.split('.');
    const tamperedPayload = Buffer.from(
      JSON.stringify({ ...CLAIMS, tenantId: 'tenant-b', iat: NOW, exp: NOW + 600 }),
    ).toString('base64url');
    expect(await verifyReceipt(`${h}.${tamperedPayload}.${s}`, { publicKey, now })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(
      await verifyReceipt(good, { publicKey: (await generateKeyPair('EdDSA')).publicKey, now }),
    ).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyReceipt(good, { publicKey, now: () => (NOW + 700) * 1000 })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(
      await verifyReceipt(await receipt('EdDSA', CLAIMS, { iat: NOW + 3600, exp: NOW + 7200 }), {
        publicKey,
        now,
      }),
    ).toEqual({ ok: false, reason: 'not_yet_valid' });
    expect(await verifyReceipt('not-a-jws', { publicKey, now })).toEqual({
      ok: false,
      reason: 'malformed_receipt',
    });
    expect(await verifyReceipt('x'.repeat(9000), { publicKey, now })).toEqual({
      ok: false,
      reason: 'malformed_receipt',
    });
  });

  it('refuses alg none, HMAC and algorithms outside the allow-list', async () => {
    const { publicKey } = keys.EdDSA!;
    const payload = Buffer.from(JSON.stringify({ ...CLAIMS, iat: NOW, exp: NOW + 600 })).toString(
      'base64url',
    );
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expect((await verifyReceipt(none, { publicKey, now })).ok).toBe(false);
    const hs = await new SignJWT({ ...CLAIMS })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 600)
      .sign(new Uint8Array(32));
    expect(await verifyReceipt(hs, { publicKey, now })).toEqual({
      ok: false,
      reason: 'alg_not_allowed',
    });
    expect(
      await verifyReceipt(await receipt('ES256'), {
        publicKey: keys.ES256!.publicKey,
        algorithms: ['EdDSA'],
        now,
      }),
    ).toEqual({ ok: false, reason: 'alg_not_allowed' });
  });

  it('checks issuer, audience, the claim set and the binding', async () => {
    const { publicKey } = keys.EdDSA!;
    const jws = await receipt('EdDSA', CLAIMS, { iss: 'https://approvals.example', aud: 'orders' });
    expect(
      (
        await verifyReceipt(jws, {
          publicKey,
          issuer: 'https://approvals.example',
          audience: 'orders',
          now,
        })
      ).ok,
    ).toBe(true);
    expect(await verifyReceipt(jws, { publicKey, issuer: 'https://evil.example', now })).toEqual({
      ok: false,
      reason: 'issuer_mismatch',
    });
    expect(await verifyReceipt(jws, { publicKey, audience: 'billing', now })).toEqual({
      ok: false,
      reason: 'audience_mismatch',
    });
    for (const broken of [
      { ...CLAIMS, approvers: [] },
      { ...CLAIMS, argsDigest: 'short' },
      { ...CLAIMS, tool: 7 },
      { approvalId: 'a' },
    ]) {
      expect(await verifyReceipt(await receipt('EdDSA', broken), { publicKey, now })).toEqual({
        ok: false,
        reason: 'invalid_claims',
      });
    }
    const good = await receipt('EdDSA');
    expect(
      (
        await verifyReceipt(good, {
          publicKey,
          now,
          expected: {
            tool: 'payments.refund',
            tenantId: 'tenant-a',
            argsDigest: CLAIMS.argsDigest,
          },
        })
      ).ok,
    ).toBe(true);
    expect(
      await verifyReceipt(good, { publicKey, now, expected: { tenantId: 'tenant-b' } }),
    ).toEqual({ ok: false, reason: 'binding_mismatch' });
  });

  it('refuses a private JWK, both or neither key option, and unknown algorithms at construction', async () => {
    const privateJwk = await exportJWK(keys.EdDSA!.privateKey);
    expect(() => createReceiptVerifier({ publicKey: privateJwk })).toThrow(/public key/);
    expect(() => createReceiptVerifier({})).toThrow(/exactly one/);
    expect(() =>
      createReceiptVerifier({ publicKey: keys.EdDSA!.publicKey, algorithms: ['HS256' as never] }),
    ).toThrow(/only/);
  });
});
