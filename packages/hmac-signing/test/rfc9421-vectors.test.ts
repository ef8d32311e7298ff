import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createSignatureBase,
  importSigningKey,
  importVerifyingKey,
  isInnerList,
  parseDictionary,
  serializeInnerList,
  type CoveredComponent,
  type SigningKeyInput,
  type VerifyingKeyInput,
} from '../src/index.js';

interface Vector {
  name: string;
  label: string;
  key: {
    id: string;
    alg: 'hmac-sha256' | 'ed25519';
    secretBase64?: string;
    privateKeyPem?: string;
    publicKeyPem?: string;
  };
  signatureInput: string;
  signatureBase: string[];
  signature: string;
}
interface Fixture {
  request: { method: string; url: string; headers: Record<string, string>; body: string };
  vectors: Vector[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/rfc9421-vectors.json', import.meta.url), 'utf8'),
) as Fixture;
const { request } = fixture;
const message = {
  method: request.method,
  url: request.url,
  header: (name: string) => request.headers[name],
};

function keys(vector: Vector): { signing: SigningKeyInput; verifying: VerifyingKeyInput } {
  const { id, alg } = vector.key;
  if (alg === 'hmac-sha256') {
    const secret = Buffer.from(vector.key.secretBase64!, 'base64');
    return { signing: { id, alg, secret }, verifying: { id, alg, secret } };
  }
  return {
    signing: { id, alg, privateKey: vector.key.privateKeyPem! },
    verifying: { id, alg, publicKey: vector.key.publicKeyPem! },
  };
}

describe('RFC 9421 Appendix B test vectors', () => {
  it.each(fixture.vectors)('$name: signature base and signature byte for byte', (vector) => {
    const input = parseDictionary(vector.signatureInput).get(vector.label);
    if (input === undefined || !isInnerList(input)) throw new Error('fixture has no inner list');
    const components: CoveredComponent[] = input.items.map((item) => ({
      name: item.value as string,
      params: item.params,
    }));
    const params = serializeInnerList(input);
    expect(`${vector.label}=${params}`).toBe(vector.signatureInput);

    const result = createSignatureBase(message, components, params);
    expect(result).toEqual({ ok: true, base: vector.signatureBase.join('\n') });
    if (!result.ok) return;

    const { signing, verifying } = keys(vector);
    const signature = importSigningKey(signing).sign(result.base);
    expect(`${vector.label}=:${signature.toString('base64')}:`).toBe(vector.signature);

    const expected = parseDictionary(vector.signature).get(vector.label);
    if (expected === undefined || isInnerList(expected)) throw new Error('fixture has no bytes');
    const verifier = importVerifyingKey(verifying);
    expect(verifier.verify(result.base, expected.value as Uint8Array)).toBe(true);
    const tampered = result.base.replace('example.com', 'example.org');
    expect(verifier.verify(tampered, expected.value as Uint8Array)).toBe(false);
  });
});
