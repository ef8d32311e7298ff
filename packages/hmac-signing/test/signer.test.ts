import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  IDENTITY_HEADERS,
  SignatureConfigError,
  createSigner,
  importVerifyingKey,
  isInnerList,
  parseDictionary,
  signedFetch,
  createSignatureBase,
  serializeInnerList,
  type SfItem,
} from '../src/index.js';
import { IDENTITY, SECRET } from './helpers.js';

const NOW = 1_750_000_000_000;

function configError(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof SignatureConfigError) return error.path;
    throw error;
  }
  return undefined;
}

/** Verifies what the signer produced with the low-level pieces (the verify package does more). */
function check(request: Request, secret = SECRET, id = 'k1') {
  const input = parseDictionary(request.headers.get('signature-input')!).get('agentguard')!;
  const sig = parseDictionary(request.headers.get('signature')!).get('agentguard') as SfItem;
  if (!isInnerList(input)) throw new Error('not an inner list');
  const base = createSignatureBase(
    {
      method: request.method,
      url: request.url.split('#')[0]!,
      header: (n) => request.headers.get(n) ?? undefined,
    },
    input.items.map((i) => ({ name: i.value as string, params: i.params })),
    serializeInnerList(input),
  );
  if (!base.ok) throw new Error(base.reason);
  const ok = importVerifyingKey({ id, alg: 'hmac-sha256', secret }).verify(
    base.base,
    sig.value as Uint8Array,
  );
  return { ok, input, components: input.items.map((i) => i.value as string) };
}

describe('createSigner', () => {
  it('refuses bad options with the path of the problem', () => {
    expect(configError(() => createSigner({ keys: [] }))).toBe('keys');
    expect(
      configError(() =>
        createSigner({ keys: [{ id: 'k', alg: 'hmac-sha256', secret: new Uint8Array(16) }] }),
      ),
    ).toBe('keys[0].secret');
    expect(
      configError(() =>
        createSigner({
          keys: [
            { id: 'k', alg: 'hmac-sha256', secret: SECRET },
            { id: 'k', alg: 'hmac-sha256', secret: SECRET },
          ],
        }),
      ),
    ).toBe('keys[1].id');
    const keys = [{ id: 'k1', alg: 'hmac-sha256' as const, secret: SECRET }];
    expect(configError(() => createSigner({ keys, signingKeyId: 'nope' }))).toBe('signingKeyId');
    expect(configError(() => createSigner({ keys, label: 'Bad Label' }))).toBe('label');
    expect(configError(() => createSigner({ keys, expiresIn: 0 }))).toBe('expiresIn');
    expect(configError(() => createSigner({ keys, additionalHeaders: ['content-digest'] }))).toBe(
      'additionalHeaders[0]',
    );
    expect(configError(() => createSigner({ keys, tag: 'é' }))).toBe('tag');
    expect(
      configError(() =>
        createSigner({ keys: [{ id: 'e', alg: 'ed25519', privateKey: 'not a pem' }] }),
      ),
    ).toBe('keys[0].privateKey');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(
      configError(() => createSigner({ keys: [{ id: 'e', alg: 'ed25519', privateKey }] })),
    ).toBe('keys[0].privateKey');
  });

  it('signs method, target, digest, content-type and identity with created/expires/nonce/keyid/alg', async () => {
    const signer = createSigner({
      keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }],
      now: () => NOW,
    });
    expect(signer.kind).toBe('signer');
    expect(signer.keyId).toBe('k1');
    const body = JSON.stringify({ id: 42 });
    const signed = await signer.forCall(IDENTITY).sign(
      new Request('https://orders.internal/v1/orders?x=1#frag', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }),
    );
    const { ok, input, components } = check(signed);
    expect(ok).toBe(true);
    expect(components).toEqual([
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
    ]);
    expect(input.params.get('created')).toBe(NOW / 1000);
    expect(input.params.get('expires')).toBe(NOW / 1000 + 60);
    expect(input.params.get('keyid')).toBe('k1');
    expect(input.params.get('alg')).toBe('hmac-sha256');
    expect(input.params.get('nonce')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(signed.headers.get('agentguard-subject')).toBe('ana%40example.com');
    expect(signed.headers.get('agentguard-roles')).toBe('sales%20lead,viewer');
    expect(signed.headers.get('agentguard-tool')).toBe('crm%2Fget_customer');
    expect(signed.headers.get('content-digest')).toBe(
      `sha-256=:${(await import('node:crypto')).createHash('sha256').update(body).digest('base64')}:`,
    );
    // The body still goes out, byte for byte.
    expect(await signed.text()).toBe(body);
  });

  it('uses a fresh nonce for every request', async () => {
    const signer = createSigner({ keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }] });
    const call = signer.forCall(IDENTITY);
    const nonces = new Set<unknown>();
    for (let i = 0; i < 50; i++) {
      const signed = await call.sign(new Request('https://a.example/'));
      const input = parseDictionary(signed.headers.get('signature-input')!).get('agentguard')!;
      nonces.add(input.params.get('nonce'));
    }
    expect(nonces.size).toBe(50);
  });

  it('covers the digest of zero bytes for a request without a body', async () => {
    const signer = createSigner({ keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }] });
    const signed = await signer.forCall(IDENTITY).sign(new Request('https://a.example/items'));
    expect(signed.headers.get('content-digest')).toBe(
      'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:',
    );
    expect(check(signed).components).toContain('content-digest');
    expect(check(signed).components).not.toContain('content-type');
  });

  it('overwrites identity headers the handler set, and removes ones the identity lacks', async () => {
    const signer = createSigner({ keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }] });
    const withoutAgent = { ...IDENTITY, agentId: undefined };
    const signed = await signer.forCall(withoutAgent).sign(
      new Request('https://a.example/', {
        headers: {
          [IDENTITY_HEADERS.subject]: 'root',
          [IDENTITY_HEADERS.tenantId]: 'other-tenant',
          [IDENTITY_HEADERS.agentId]: 'forged-agent',
          [IDENTITY_HEADERS.approvalReceipt]: 'forged.receipt.jws',
        },
      }),
    );
    expect(signed.headers.get(IDENTITY_HEADERS.subject)).toBe('ana%40example.com');
    expect(signed.headers.get(IDENTITY_HEADERS.tenantId)).toBe('tenant-a');
    expect(signed.headers.has(IDENTITY_HEADERS.agentId)).toBe(false);
    expect(signed.headers.has(IDENTITY_HEADERS.approvalReceipt)).toBe(false);
    expect(check(signed).ok).toBe(true);
  });

  it('carries the approval receipt when the call had one', async () => {
    const signer = createSigner({ keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }] });
    const signed = await signer
      .forCall({ ...IDENTITY, approvalReceipt: 'eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln' })
      .sign(new Request('https://a.example/'));
    expect(signed.headers.get(IDENTITY_HEADERS.approvalReceipt)).toBe(
      'eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln',
    );
    expect(check(signed).components).toContain(IDENTITY_HEADERS.approvalReceipt);
  });

  it('covers @authority, @path and @query instead of @target-uri when asked', async () => {
    const signer = createSigner({
      keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }],
      target: 'authority-path-query',
      additionalHeaders: ['idempotency-key'],
      tag: 'agentguard-v1',
      includeAlg: false,
    });
    const signed = await signer
      .forCall(IDENTITY)
      .sign(new Request('https://a.example/x', { headers: { 'idempotency-key': 'abc' } }));
    const { ok, components, input } = check(signed);
    expect(ok).toBe(true);
    expect(components.slice(0, 5)).toEqual([
      '@method',
      '@authority',
      '@path',
      '@query',
      'content-digest',
    ]);
    expect(components).toContain('idempotency-key');
    expect(input.params.get('tag')).toBe('agentguard-v1');
    expect(input.params.has('alg')).toBe(false);
  });

  it("keeps another signer's signature and replaces its own earlier one", async () => {
    const signer = createSigner({ keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }] });
    const call = signer.forCall(IDENTITY);
    const first = await call.sign(
      new Request('https://a.example/', {
        headers: { 'signature-input': 'proxy=("@method");created=1', signature: 'proxy=:AAAA:' },
      }),
    );
    const second = await call.sign(first);
    const inputs = parseDictionary(second.headers.get('signature-input')!);
    expect([...inputs.keys()]).toEqual(['proxy', 'agentguard']);
    expect([...parseDictionary(second.headers.get('signature')!).keys()]).toEqual([
      'proxy',
      'agentguard',
    ]);
    expect(check(second).ok).toBe(true);
  });

  it('signs with the configured key of several (rotation)', async () => {
    const newSecret = Buffer.alloc(32, 7);
    const signer = createSigner({
      keys: [
        { id: 'old', alg: 'hmac-sha256', secret: SECRET },
        { id: 'new', alg: 'hmac-sha256', secret: newSecret },
      ],
      signingKeyId: 'new',
    });
    const signed = await signer.forCall(IDENTITY).sign(new Request('https://a.example/'));
    expect(check(signed, newSecret, 'new').input.params.get('keyid')).toBe('new');
    expect(check(signed, SECRET, 'old').ok).toBe(false);
  });

  it('signs with ed25519', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signer = createSigner({ keys: [{ id: 'ed', alg: 'ed25519', privateKey }] });
    const signed = await signer.forCall(IDENTITY).sign(new Request('https://a.example/'));
    const input = parseDictionary(signed.headers.get('signature-input')!).get('agentguard')!;
    if (!isInnerList(input)) throw new Error('not an inner list');
    const base = createSignatureBase(
      {
        method: 'GET',
        url: 'https://a.example/',
        header: (n) => signed.headers.get(n) ?? undefined,
      },
      input.items.map((i) => ({ name: i.value as string, params: i.params })),
      serializeInnerList(input),
    );
    const sig = parseDictionary(signed.headers.get('signature')!).get('agentguard') as SfItem;
    expect(
      base.ok &&
        importVerifyingKey({ id: 'ed', alg: 'ed25519', publicKey }).verify(
          base.base,
          sig.value as Uint8Array,
        ),
    ).toBe(true);
    expect(input.params.get('alg')).toBe('ed25519');
  });

  it('refuses to sign for an identity that cannot be encoded, without throwing in forCall', async () => {
    const signer = createSigner({ keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }] });
    const call = signer.forCall({ ...IDENTITY, subject: 'bad\uD800' });
    await expect(call.sign(new Request('https://a.example/'))).rejects.toThrow(TypeError);
    const empty = signer.forCall({ ...IDENTITY, tenantId: '' });
    await expect(empty.sign(new Request('https://a.example/'))).rejects.toThrow(/tenantId/);
  });

  it('signHeaders signs requests sent by other means', () => {
    const signer = createSigner({ keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }] });
    const headers = new Headers({ 'content-type': 'text/plain' });
    signer.signHeaders(
      { method: 'PUT', url: new URL('https://a.example/p'), headers, body: Buffer.from('hi') },
      IDENTITY,
    );
    const request = new Request('https://a.example/p', { method: 'PUT', headers, body: 'hi' });
    expect(check(request).ok).toBe(true);
  });
});

describe('fetch', () => {
  it('CallSigner.fetch signs and does not follow redirects unless asked', async () => {
    const seen: Request[] = [];
    const signer = createSigner({
      keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }],
      fetch: async (request) => {
        seen.push(request);
        return new Response('ok');
      },
    });
    const call = signer.forCall(IDENTITY);
    await call.fetch('https://a.example/x', { method: 'POST', body: 'payload' });
    await call.fetch('https://a.example/y', { redirect: 'follow' });
    expect(seen[0]!.redirect).toBe('manual');
    expect(seen[1]!.redirect).toBe('follow');
    expect(check(seen[0]!).ok).toBe(true);
    expect(await seen[0]!.text()).toBe('payload');
  });

  it('signedFetch uses the global fetch', async () => {
    const signer = createSigner({ keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }] });
    const original = globalThis.fetch;
    let seen: Request | undefined;
    globalThis.fetch = async (input: string | URL | Request) => {
      seen = input as Request;
      return new Response('ok');
    };
    try {
      const response = await signedFetch(signer.forCall(IDENTITY), 'https://a.example/z');
      expect(await response.text()).toBe('ok');
    } finally {
      globalThis.fetch = original;
    }
    expect(seen && check(seen).ok).toBe(true);
  });
});
