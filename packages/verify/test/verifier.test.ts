import { generateKeyPairSync } from 'node:crypto';
import { httpbis, createSigner as theirSigner } from 'http-message-signatures';
import { describe, expect, it } from 'vitest';
import {
  MemoryReplayStore,
  SignatureConfigError,
  createVerifier,
  type VerifierOptions,
  type VerifyResult,
} from '../src/index.js';
import { IDENTITY, KEYS, NOW, SECRET, alter, signedPost, testSigner } from './helpers.js';

/** Every component the signer covers by default (the documented set). */
const ALL_COMPONENTS = [
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

function verifier(options: Partial<VerifierOptions> = {}) {
  return createVerifier({ keys: KEYS, now: () => NOW, ...options });
}

function reason(result: VerifyResult): string {
  return result.ok ? 'ok' : result.reason;
}

function headersOf(request: Request): Record<string, string> {
  const out: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

describe('createVerifier: valid requests', () => {
  it('verifies a signed request and returns the identity, the signature and the body', async () => {
    const result = await verifier().verify(await signedPost());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.identity).toEqual({
      subject: 'ana@example.com',
      tenantId: 'tenant-a',
      roles: ['sales lead', 'viewer'],
      agentId: 'agent-7',
      decisionId: 'dec_123',
      tool: 'orders.place',
    });
    expect(result.signature).toMatchObject({
      label: 'agentguard',
      keyId: 'k1',
      alg: 'hmac-sha256',
      created: NOW / 1000,
      expires: NOW / 1000 + 60,
    });
    expect(new TextDecoder().decode(result.body)).toBe('{"sku":"A-1","qty":2}');
  });

  it('verifies a GET with an empty body and no roles', async () => {
    const signed = await testSigner()
      .forCall({ ...IDENTITY, roles: [] })
      .sign(new Request('https://a.example/items'));
    const result = await verifier().verify(signed);
    expect(result.ok && result.identity.roles).toEqual([]);
  });

  it('accepts every key in the rotation set, and refuses a retired one', async () => {
    const newKey = { id: 'k2', alg: 'hmac-sha256' as const, secret: Buffer.alloc(32, 9) };
    const both = verifier({ keys: [...KEYS, newKey] });
    const oldSigned = await signedPost();
    const newSigned = await createSignerWith([...KEYS, newKey], 'k2')
      .forCall(IDENTITY)
      .sign(new Request('https://a.example/'));
    expect(reason(await both.verify(oldSigned))).toBe('ok');
    expect(reason(await both.verify(newSigned))).toBe('ok');
    const retired = verifier({ keys: [newKey] });
    expect(reason(await retired.verify(await signedPost()))).toBe('unknown_key');
  });

  it('verifies ed25519 signatures', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signed = await testSigner({ keys: [{ id: 'ed', alg: 'ed25519', privateKey }] })
      .forCall(IDENTITY)
      .sign(new Request('https://a.example/x', { method: 'PUT', body: 'x' }));
    expect(
      reason(await verifier({ keys: [{ id: 'ed', alg: 'ed25519', publicKey }] }).verify(signed)),
    ).toBe('ok');
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(
      reason(
        await verifier({ keys: [{ id: 'ed', alg: 'ed25519', publicKey: other }] }).verify(
          await testSigner({ keys: [{ id: 'ed', alg: 'ed25519', privateKey }] })
            .forCall(IDENTITY)
            .sign(new Request('https://a.example/x')),
        ),
      ),
    ).toBe('bad_signature');
  });

  it('accepts @authority + @path + @query instead of @target-uri, and a public origin behind a proxy', async () => {
    const signed = await testSigner({ target: 'authority-path-query' })
      .forCall(IDENTITY)
      .sign(new Request('https://api.example.com/v1/x?y=1'));
    // What the backend sees behind a TLS-terminating proxy: http on an internal host.
    const internal = await alter(signed, { url: 'http://10.0.0.5:8080/v1/x?y=1' });
    expect(reason(await verifier().verify(internal))).toBe('bad_signature');
    expect(reason(await verifier({ origin: 'https://api.example.com' }).verify(internal))).toBe(
      'ok',
    );
  });

  it('ignores other signatures on the request (RFC 9421 §4.3)', async () => {
    const ours = await signedPost();
    const proxy = await httpbis.signMessage(
      {
        key: theirSigner(Buffer.alloc(32, 1), 'hmac-sha256', 'proxy-key'),
        name: 'proxy',
        fields: ['@method', '@target-uri'],
      },
      { method: ours.method, url: ours.url, headers: headersOf(ours) },
    );
    const both = await alter(ours, {
      edit: (h) => {
        h.set('signature', proxy.headers['signature'] as string);
        h.set('signature-input', proxy.headers['signature-input'] as string);
      },
    });
    expect(both.headers.get('signature-input')).toMatch(/agentguard=.*proxy=/);
    expect(reason(await verifier().verify(both))).toBe('ok');
  });
});

describe('createVerifier: attacks', () => {
  it('refuses a changed body (digest header left as it was)', async () => {
    const signed = await signedPost();
    expect(
      reason(await verifier().verify(await alter(signed, { body: '{"sku":"A-1","qty":200}' }))),
    ).toBe('digest_mismatch');
  });

  it('refuses a changed body whose digest header was recomputed', async () => {
    const signed = await signedPost();
    const { createContentDigest } = await import('@agentguard/hmac-signing');
    const body = '{"sku":"A-1","qty":200}';
    const forged = await alter(signed, {
      body,
      edit: (h) => h.set('content-digest', createContentDigest(new TextEncoder().encode(body))),
    });
    expect(reason(await verifier().verify(forged))).toBe('bad_signature');
  });

  it('refuses a changed path, query or covered header', async () => {
    const signed = await signedPost();
    expect(
      reason(
        await verifier().verify(
          await alter(signed, { url: 'https://orders.internal/v1/refunds?region=eu' }),
        ),
      ),
    ).toBe('bad_signature');
    expect(
      reason(
        await verifier().verify(
          await alter(signed, { url: 'https://orders.internal/v1/orders?region=us' }),
        ),
      ),
    ).toBe('bad_signature');
    expect(
      reason(
        await verifier().verify(
          await alter(signed, { url: 'https://evil.example/v1/orders?region=eu' }),
        ),
      ),
    ).toBe('bad_signature');
    expect(
      reason(
        await verifier().verify(
          await alter(signed, { edit: (h) => h.set('agentguard-tenant', 'tenant-b') }),
        ),
      ),
    ).toBe('bad_signature');
    expect(
      reason(
        await verifier().verify(
          await alter(signed, { edit: (h) => h.set('agentguard-roles', 'admin') }),
        ),
      ),
    ).toBe('bad_signature');
    expect(
      reason(
        await verifier().verify(
          await alter(signed, { edit: (h) => h.set('content-type', 'text/plain') }),
        ),
      ),
    ).toBe('bad_signature');
  });

  it('refuses a removed covered header', async () => {
    const signed = await signedPost();
    expect(
      reason(
        await verifier().verify(await alter(signed, { edit: (h) => h.delete('content-type') })),
      ),
    ).toBe('missing_header');
    expect(
      reason(
        await verifier().verify(await alter(signed, { edit: (h) => h.delete('agentguard-agent') })),
      ),
    ).toBe('missing_header');
    expect(
      reason(
        await verifier().verify(await alter(signed, { edit: (h) => h.delete('content-digest') })),
      ),
    ).toBe('missing_header');
  });

  it('refuses an identity header added outside the signature', async () => {
    const signed = await testSigner()
      .forCall({ ...IDENTITY, agentId: undefined })
      .sign(new Request('https://a.example/'));
    const injected = await alter(signed, {
      edit: (h) => h.set('agentguard-agent', 'trusted-agent'),
    });
    expect(reason(await verifier().verify(injected))).toBe('missing_component');
    const receipt = await alter(signed, {
      edit: (h) => h.set('agentguard-approval-receipt', 'a.b.c'),
    });
    expect(reason(await verifier().verify(receipt))).toBe('missing_component');
  });

  it('refuses a replay inside the window, but a forged request does not burn the nonce', async () => {
    const v = verifier();
    const signed = await signedPost();
    const forged = await alter(signed, { edit: (h) => h.set('agentguard-tenant', 'tenant-b') });
    expect(reason(await v.verify(forged))).toBe('bad_signature');
    expect(reason(await v.verify(await alter(signed, {})))).toBe('ok');
    expect(reason(await v.verify(await alter(signed, {})))).toBe('replayed');
  });

  it('refuses expired signatures and signatures created in the future, within the skew', async () => {
    const signed = await signedPost();
    const at = (seconds: number) => verifier({ now: () => NOW + seconds * 1000 });
    expect(reason(await at(60 + 10).verify(await alter(signed, {})))).toBe('ok');
    expect(reason(await at(60 + 11).verify(await alter(signed, {})))).toBe('expired');
    expect(reason(await at(-10).verify(await alter(signed, {})))).toBe('ok');
    expect(reason(await at(-11).verify(await alter(signed, {})))).toBe('created_in_future');
    const long = await testSigner({ expiresIn: 3600 })
      .forCall(IDENTITY)
      .sign(new Request('https://a.example/'));
    expect(reason(await at(400).verify(long))).toBe('expired');
  });

  it('refuses a wrong key and an unknown key id', async () => {
    const signed = await signedPost();
    expect(
      reason(
        await verifier({
          keys: [{ id: 'k1', alg: 'hmac-sha256', secret: Buffer.alloc(32, 3) }],
        }).verify(await alter(signed, {})),
      ),
    ).toBe('bad_signature');
    expect(
      reason(
        await verifier({ keys: [{ id: 'k9', alg: 'hmac-sha256', secret: SECRET }] }).verify(
          await alter(signed, {}),
        ),
      ),
    ).toBe('unknown_key');
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(
      reason(
        await verifier({ keys: [{ id: 'k1', alg: 'ed25519', publicKey }] }).verify(
          await alter(signed, {}),
        ),
      ),
    ).toBe('alg_mismatch');
  });

  it('refuses a stripped or half-stripped signature', async () => {
    const signed = await signedPost();
    const stripped = await alter(signed, {
      edit: (h) => {
        h.delete('signature');
        h.delete('signature-input');
      },
    });
    expect(reason(await verifier().verify(stripped))).toBe('missing_signature');
    expect(
      reason(await verifier().verify(await alter(signed, { edit: (h) => h.delete('signature') }))),
    ).toBe('malformed_signature');
    expect(
      reason(
        await verifier().verify(await alter(signed, { edit: (h) => h.delete('signature-input') })),
      ),
    ).toBe('malformed_signature');
  });

  it('refuses duplicated Signature / Signature-Input headers for the same label', async () => {
    const signed = await signedPost();
    const dupSig = await alter(signed, { edit: (h) => h.append('signature', 'agentguard=:AAAA:') });
    expect(reason(await verifier().verify(dupSig))).toBe('multiple_signatures');
    const dupInput = await alter(signed, {
      edit: (h) => h.append('signature-input', h.get('signature-input')!),
    });
    expect(reason(await verifier().verify(dupInput))).toBe('multiple_signatures');
    const many = await alter(signed, {
      edit: (h) => {
        for (let i = 0; i < 8; i++) h.append('signature', `s${i}=:AAAA:`);
      },
    });
    expect(reason(await verifier().verify(many))).toBe('multiple_signatures');
  });

  it('refuses oversized headers and bodies', async () => {
    const signed = await signedPost();
    const big = await alter(signed, {
      edit: (h) =>
        h.set('signature-input', `${h.get('signature-input')!};tag="${'x'.repeat(9000)}"`),
    });
    expect(reason(await verifier().verify(big))).toBe('header_too_large');
    const bigIdentity = await testSigner()
      .forCall({ ...IDENTITY, subject: 'x'.repeat(9000) })
      .sign(new Request('https://a.example/'));
    expect(reason(await verifier().verify(bigIdentity))).toBe('header_too_large');
    const result = await verifier({ maxBodyBytes: 8 }).verify(await signedPost());
    expect(result).toEqual({ ok: false, reason: 'body_too_large', status: 413 });
  });

  it('refuses a signature whose label is not ours', async () => {
    const signed = await testSigner({ label: 'other' })
      .forCall(IDENTITY)
      .sign(new Request('https://a.example/'));
    expect(reason(await verifier().verify(signed))).toBe('label_not_found');
  });

  it('refuses a valid signature that leaves out the digest, the target or identity headers', async () => {
    const base = await signedPost();
    const sign = async (fields: string[], params?: string[]) => {
      const signed = await httpbis.signMessage(
        {
          key: theirSigner(SECRET, 'hmac-sha256', 'k1'),
          name: 'agentguard',
          fields,
          ...(params
            ? { params }
            : {
                paramValues: { nonce: 'n-0123456789abcdef' },
                params: ['created', 'expires', 'nonce', 'keyid', 'alg'],
              }),
        },
        { method: base.method, url: base.url, headers: withoutSignature(base) },
      );
      return alter(base, {
        edit: (h) => {
          h.set('signature', signed.headers['Signature'] as string);
          h.set('signature-input', signed.headers['Signature-Input'] as string);
        },
      });
    };
    const all = ALL_COMPONENTS;
    const v = () => verifier({ now: () => Date.now() });
    expect(reason(await v().verify(await sign(all)))).toBe('ok');
    for (const left of [
      'content-digest',
      '@target-uri',
      '@method',
      'agentguard-tenant',
      'agentguard-agent',
      'content-type',
    ]) {
      expect([left, reason(await v().verify(await sign(all.filter((f) => f !== left))))]).toEqual([
        left,
        'missing_component',
      ]);
    }
    expect(reason(await v().verify(await sign(all, ['created', 'expires', 'keyid'])))).toBe(
      'missing_parameter',
    );
  });

  it('refuses identity headers that are signed but not in the documented encoding', async () => {
    const base = await signedPost();
    const headers = { ...withoutSignature(base), 'agentguard-subject': 'ana example' };
    const all = ALL_COMPONENTS;
    const signed = await httpbis.signMessage(
      {
        key: theirSigner(SECRET, 'hmac-sha256', 'k1'),
        name: 'agentguard',
        fields: all,
        paramValues: { nonce: 'n-0123456789abcdef' },
        params: ['created', 'expires', 'nonce', 'keyid', 'alg'],
      },
      { method: base.method, url: base.url, headers },
    );
    const request = new Request(base.url, {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body: await base.text(),
    });
    expect(reason(await createVerifier({ keys: KEYS }).verify(request))).toBe('malformed_identity');
  });

  it('refuses malformed signature fields', async () => {
    const signed = await signedPost();
    const cases: [string, string, string][] = [
      ['signature-input', 'agentguard=("@method"', 'malformed_signature'],
      ['signature-input', 'agentguard="not a list"', 'malformed_signature'],
      ['signature', 'agentguard="not bytes"', 'malformed_signature'],
      [
        'signature-input',
        'agentguard=("@method" 1);created=1;expires=2;keyid="k1";nonce="n"',
        'malformed_signature',
      ],
      ['signature-input', 'agentguard=("@method");created="x";keyid="k1"', 'malformed_signature'],
      [
        'signature-input',
        'agentguard=("@method");created=5;expires=4;keyid="k1";nonce="n"',
        'malformed_signature',
      ],
    ];
    for (const [name, value, expected] of cases) {
      expect([
        value,
        reason(await verifier().verify(await alter(signed, { edit: (h) => h.set(name, value) }))),
      ]).toEqual([value, expected]);
    }
  });
});

describe('createVerifier: configuration', () => {
  it('refuses bad options with the path of the problem', () => {
    const path = (options: VerifierOptions): string | undefined => {
      try {
        createVerifier(options);
      } catch (error) {
        if (error instanceof SignatureConfigError) return error.path;
        throw error;
      }
      return undefined;
    };
    expect(path({ keys: [] })).toBe('keys');
    expect(path({ keys: [{ id: 'k', alg: 'hmac-sha256', secret: new Uint8Array(8) }] })).toBe(
      'keys[0].secret',
    );
    expect(path({ keys: KEYS, clockSkew: -1 })).toBe('clockSkew');
    expect(path({ keys: KEYS, maxAge: 0 })).toBe('maxAge');
    expect(path({ keys: KEYS, origin: 'https://a.example/path' })).toBe('origin');
    expect(path({ keys: KEYS, requireComponents: ['Bad Name'] })).toBe('requireComponents[0]');
    expect(path({ keys: KEYS, replayStore: {} as never })).toBe('replayStore');
    expect(path({ keys: KEYS, receipts: {} })).toBe('receipts');
    expect(path({ keys: KEYS })).toBeUndefined();
  });

  it('requires extra components when configured', async () => {
    const v = verifier({ requireComponents: ['idempotency-key'] });
    expect(reason(await v.verify(await signedPost()))).toBe('missing_component');
    const signed = await testSigner({ additionalHeaders: ['idempotency-key'] })
      .forCall(IDENTITY)
      .sign(new Request('https://a.example/', { headers: { 'idempotency-key': 'k-1' } }));
    expect(reason(await v.verify(signed))).toBe('ok');
  });

  it('uses the replay store it is given', async () => {
    const calls: string[] = [];
    const store = {
      async checkAndStore(keyId: string, nonce: string, expiresAtMs: number) {
        calls.push(`${keyId}:${expiresAtMs}`);
        return nonce.length > 0 && calls.length === 1;
      },
    };
    const v = verifier({ replayStore: store });
    const signed = await signedPost();
    expect(reason(await v.verify(await alter(signed, {})))).toBe('ok');
    expect(reason(await v.verify(await alter(signed, {})))).toBe('replayed');
    expect(calls[0]).toBe(`k1:${NOW + 70_000}`);
  });
});

describe('MemoryReplayStore', () => {
  it('forgets a nonce once it expires, and reports nonces dropped early', () => {
    let now = 1000;
    let evicted = 0;
    const store = new MemoryReplayStore({ max: 2, now: () => now, onEvict: () => (evicted += 1) });
    expect(store.checkAndStore('k', 'a', 2000)).toBe(true);
    expect(store.checkAndStore('k', 'a', 2000)).toBe(false);
    expect(store.checkAndStore('other-key', 'a', 2000)).toBe(true);
    now = 2500;
    expect(store.checkAndStore('k', 'a', 3000)).toBe(true);
    expect(store.checkAndStore('k', 'b', 3000)).toBe(true);
    expect(store.checkAndStore('k', 'c', 3000)).toBe(true);
    expect(store.size).toBeLessThanOrEqual(2);
    expect(evicted).toBeGreaterThan(0);
  });
});

function withoutSignature(request: Request): Record<string, string> {
  const headers = headersOf(request);
  delete headers['signature'];
  delete headers['signature-input'];
  return headers;
}

function createSignerWith(keys: VerifierOptions['keys'], signingKeyId: string) {
  return testSigner({ keys: keys as never, signingKeyId });
}
