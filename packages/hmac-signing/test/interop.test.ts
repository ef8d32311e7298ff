import { httpbis, createVerifier as theirVerifier } from 'http-message-signatures';
import { describe, expect, it } from 'vitest';
import { createSigner } from '../src/index.js';
import { IDENTITY, SECRET } from './helpers.js';

function plain(request: Request): { method: string; url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { method: request.method, url: request.url, headers };
}

describe('interop: our signer, http-message-signatures verifier', () => {
  it.each(['target-uri', 'authority-path-query'] as const)(
    'verifies an hmac-sha256 signature covering %s, digest and identity',
    async (target) => {
      const signer = createSigner({
        keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }],
        target,
      });
      const signed = await signer.forCall({ ...IDENTITY, roles: [] }).sign(
        new Request('https://orders.internal/v1/orders?sort=desc', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"qty":2}',
        }),
      );
      const keyLookup = async () => ({
        id: 'k1',
        algs: ['hmac-sha256'],
        verify: theirVerifier(SECRET, 'hmac-sha256'),
      });
      const requiredFields = [
        '@method',
        'content-digest',
        'agentguard-subject',
        'agentguard-tenant',
      ];
      await expect(
        httpbis.verifyMessage({ keyLookup, requiredFields }, plain(signed)),
      ).resolves.toBe(true);

      const tampered = plain(signed);
      tampered.headers['agentguard-tenant'] = 'tenant-b';
      await expect(httpbis.verifyMessage({ keyLookup }, tampered)).resolves.toBe(false);
    },
  );
});
