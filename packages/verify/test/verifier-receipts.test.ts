import { SignJWT, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../src/index.js';
import { IDENTITY, KEYS, NOW, testSigner } from './helpers.js';

const ARGS_DIGEST = 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE';

describe('createVerifier with receipts', async () => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const receipt = (tenantId = IDENTITY.tenantId, tool = IDENTITY.tool) =>
    new SignJWT({
      approvalId: 'apr_1',
      tool,
      argsDigest: ARGS_DIGEST,
      tenantId,
      approvers: ['bob'],
    })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'agentguard-receipt+jwt' })
      .setIssuedAt(NOW / 1000)
      .setExpirationTime(NOW / 1000 + 600)
      .sign(privateKey);
  const verifier = () =>
    createVerifier({ keys: KEYS, now: () => NOW, receipts: { publicKey, now: () => NOW } });
  const signed = async (approvalReceipt: string) =>
    testSigner()
      .forCall({ ...IDENTITY, approvalReceipt })
      .sign(new Request('https://a.example/refunds', { method: 'POST', body: '{}' }));

  it('verifies a carried receipt and returns its claims with the identity', async () => {
    const jws = await receipt();
    const result = await verifier().verify(await signed(jws));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.identity.approvalReceipt).toBe(jws);
    expect(result.identity.receipt).toMatchObject({
      approvalId: 'apr_1',
      tool: IDENTITY.tool,
      tenantId: IDENTITY.tenantId,
      approvers: ['bob'],
      argsDigest: ARGS_DIGEST,
    });
  });

  it('refuses a receipt for another tenant or tool, and one that does not verify', async () => {
    const r = async (jws: string) => {
      const result = await verifier().verify(await signed(jws));
      return result.ok ? 'ok' : result.reason;
    };
    expect(await r(await receipt('tenant-b'))).toBe('receipt_mismatch');
    expect(await r(await receipt(IDENTITY.tenantId, 'payments.refund'))).toBe('receipt_mismatch');
    const other = await new SignJWT({
      approvalId: 'a',
      tool: IDENTITY.tool,
      argsDigest: ARGS_DIGEST,
      tenantId: IDENTITY.tenantId,
      approvers: ['x'],
    })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuedAt(NOW / 1000)
      .setExpirationTime(NOW / 1000 + 600)
      .sign((await generateKeyPair('EdDSA')).privateKey);
    expect(await r(other)).toBe('bad_receipt');
    expect(await r('not.a.jws')).toBe('bad_receipt');
  });

  it('does not consume the nonce of a request refused for its receipt', async () => {
    const v = verifier();
    const bad = await signed(await receipt('tenant-b'));
    const copy = new Request(bad.url, { method: 'POST', headers: bad.headers, body: '{}' });
    expect((await v.verify(bad)).ok).toBe(false);
    // Same nonce, still refused for the receipt, never as a replay.
    const again = await v.verify(copy);
    expect(again.ok ? 'ok' : again.reason).toBe('receipt_mismatch');
  });
});
