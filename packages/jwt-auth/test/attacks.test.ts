import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, beforeAll } from 'vitest';
import type { Principal, StageResult } from '@agentguard/core';
import { UnauthenticatedError } from '@agentguard/core';
import { jwtAuth } from '../src/index.js';
import {
  AUDIENCE,
  ISSUER,
  NOW,
  b64,
  baseClaims,
  bearer,
  craft,
  makeKey,
  signHmac,
  signToken,
  type TestKey,
} from './helpers.js';

const now = (): number => NOW * 1000;

let rsa: TestKey;
let ec: TestKey;
let attacker: TestKey;
let auth: ReturnType<typeof jwtAuth>;
let good: string;

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1');
  ec = await makeKey('ES256', 'ec-1');
  attacker = await makeKey('RS256', 'evil');
  auth = jwtAuth({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['RS256', 'ES256'],
    jwks: { keys: [rsa.jwk, ec.jwk] },
    now,
  });
  good = await signToken(rsa);
});

async function reasonOf(token: string, context = bearer(token)): Promise<string | undefined> {
  const result: StageResult<Principal> = await auth.authenticate(context);
  if (result.ok) return undefined;
  expect(result.error).toBeInstanceOf(UnauthenticatedError);
  // The token never leaks into what the caller or the audit sees.
  const visible =
    JSON.stringify(result.error.toJSON()) +
    result.error.message +
    String((result.error as UnauthenticatedError).wwwAuthenticate);
  if (token.length > 8) expect(visible).not.toContain(token.slice(-8));
  return result.error.reason;
}

function header(alg: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { alg, kid: 'rsa-1', typ: 'JWT', ...extra };
}

describe('attacks are rejected with the right reason', () => {
  it('accepts the genuine token (control)', async () => {
    expect(await reasonOf(good)).toBeUndefined();
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('alg %s', async (alg) => {
    expect(await reasonOf(craft(header(alg), baseClaims()))).toBe('alg_not_allowed');
    expect(await reasonOf(craft(header(alg), baseClaims(), { signature: 'AAAA' }))).toBe(
      'alg_not_allowed',
    );
  });

  it('HS256 signed with the RSA public key as the secret', async () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
    const token = craft(header('HS256'), baseClaims(), { hmac: pem });
    expect(await reasonOf(token)).toBe('alg_not_allowed');
  });

  it('unknown kid', async () => {
    expect(await reasonOf(await signToken(attacker))).toBe('unknown_kid');
  });

  it('kid that points at a key of another algorithm', async () => {
    // RS256 token naming the EC key's kid.
    expect(await reasonOf(await signToken(rsa, baseClaims(), { kid: 'ec-1' }))).toBe('unknown_kid');
    // ES256 token naming the RSA key's kid.
    expect(await reasonOf(await signToken(ec, baseClaims(), { kid: 'rsa-1' }))).toBe('unknown_kid');
  });

  it('jku, x5u and embedded jwk headers never pick the key', async () => {
    const evilJwk = { ...attacker.jwk, kid: 'rsa-1' };
    for (const extra of [
      { jku: 'https://evil.example/jwks.json' },
      { x5u: 'https://evil.example/cert.pem' },
      { jwk: evilJwk },
    ]) {
      // Signed by the attacker, naming the real kid: the configured key refuses it.
      const forged = await signToken({ ...attacker, kid: 'rsa-1' }, baseClaims(), extra);
      expect(await reasonOf(forged)).toBe('bad_signature');
      // Signed by the attacker, naming the attacker's kid: unknown.
      expect(await reasonOf(await signToken(attacker, baseClaims(), extra))).toBe('unknown_kid');
    }
    // The header is ignored, not trusted: a genuine token carrying one still verifies.
    expect(
      await reasonOf(await signToken(rsa, baseClaims(), { jku: 'https://evil.example/' })),
    ).toBeUndefined();
  });

  it('unknown crit', async () => {
    const token = craft(header('RS256', { crit: ['exp-ext'], 'exp-ext': 1 }), baseClaims(), {
      rsa: rsa.privateKey,
    });
    expect(await reasonOf(token)).toBe('unsupported_crit');
  });

  it('b64: false, with and without crit', async () => {
    const withCrit = craft(header('RS256', { b64: false, crit: ['b64'] }), baseClaims(), {
      rsa: rsa.privateKey,
    });
    expect(await reasonOf(withCrit)).toBe('unsupported_crit');
    const without = craft(header('RS256', { b64: false }), baseClaims(), { rsa: rsa.privateKey });
    expect(await reasonOf(without)).toBe('malformed');
  });

  it('expired, future nbf, iat far in the future', async () => {
    expect(await reasonOf(await signToken(rsa, baseClaims({ exp: NOW - 3600 })))).toBe('expired');
    expect(await reasonOf(await signToken(rsa, baseClaims({ nbf: NOW + 3600 })))).toBe(
      'not_yet_valid',
    );
    expect(await reasonOf(await signToken(rsa, baseClaims({ iat: NOW + 86_400 * 365 })))).toBe(
      'not_yet_valid',
    );
  });

  it('wrong or missing iss', async () => {
    expect(await reasonOf(await signToken(rsa, baseClaims({ iss: 'https://evil.example/' })))).toBe(
      'issuer_mismatch',
    );
    expect(await reasonOf(await signToken(rsa, baseClaims({ iss: ISSUER.slice(0, -1) })))).toBe(
      'issuer_mismatch',
    );
    expect(await reasonOf(await signToken(rsa, baseClaims({ iss: undefined })))).toBe(
      'issuer_mismatch',
    );
  });

  it('aud arrays with and without the audience', async () => {
    expect(
      await reasonOf(await signToken(rsa, baseClaims({ aud: ['a', AUDIENCE] }))),
    ).toBeUndefined();
    expect(await reasonOf(await signToken(rsa, baseClaims({ aud: ['a', 'b'] })))).toBe(
      'audience_mismatch',
    );
    expect(await reasonOf(await signToken(rsa, baseClaims({ aud: [] })))).toBe('audience_mismatch');
    expect(await reasonOf(await signToken(rsa, baseClaims({ aud: `${AUDIENCE}/` })))).toBe(
      'audience_mismatch',
    );
  });

  it('truncated and foreign signatures', async () => {
    const [h, p, s] = good.split('.') as [string, string, string];
    expect(await reasonOf(`${h}.${p}.${s.slice(0, -10)}`)).toBe('bad_signature');
    expect(await reasonOf(`${h}.${p}.`)).toBe('bad_signature');
    const foreign = (await signToken({ ...attacker, kid: 'rsa-1' })).split('.')[2];
    expect(await reasonOf(`${h}.${p}.${foreign}`)).toBe('bad_signature');
  });

  it('modified payloads', async () => {
    const [h, , s] = good.split('.') as [string, string, string];
    const escalated = b64(baseClaims({ roles: ['admin'] }));
    expect(await reasonOf(`${h}.${escalated}.${s}`)).toBe('bad_signature');
    const otherTenant = b64(baseClaims({ tenant_id: 'victim' }));
    expect(await reasonOf(`${h}.${otherTenant}.${s}`)).toBe('bad_signature');
    // Modified header (alg swap to another allowed alg).
    expect(await reasonOf(`${b64(header('ES256'))}.${good.split('.')[1]}.${s}`)).toBe(
      'unknown_kid',
    );
  });

  it('1 MB tokens', async () => {
    const huge = await signToken(rsa, baseClaims({ pad: 'x'.repeat(1_000_000) }));
    expect(await reasonOf(huge)).toBe('too_large');
    expect(await reasonOf(huge, { token: huge } as never)).toBe('too_large');
  });

  it.each([
    ['2 segments', (t: string) => t.split('.').slice(0, 2).join('.')],
    ['4 segments', (t: string) => `${t}.AAAA`],
    [
      'JWE shape (5 segments)',
      () => `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.AAAA.AAAA.AAAA.AAAA`,
    ],
    ['header not JSON', (t: string) => `${b64('not json')}.${t.split('.').slice(1).join('.')}`],
    ['header a JSON array', (t: string) => `${b64([1])}.${t.split('.').slice(1).join('.')}`],
    ['payload not JSON', (t: string) => `${t.split('.')[0]}.${b64('{')}.${t.split('.')[2]}`],
    ['padding in a segment', (t: string) => `${t}==`],
    ['empty header segment', (t: string) => `.${t.split('.').slice(1).join('.')}`],
    [
      'alg not a string',
      (t: string) => `${b64({ alg: ['RS256'] })}.${t.split('.').slice(1).join('.')}`,
    ],
    [
      'kid not a string',
      (t: string) => `${b64({ alg: 'RS256', kid: 1 })}.${t.split('.').slice(1).join('.')}`,
    ],
  ])('malformed: %s', async (_label, mutate) => {
    expect(await reasonOf(mutate(good))).toBe('malformed');
  });

  it('empty strings', async () => {
    expect(await reasonOf('', { token: '' } as never)).toBe('malformed');
    expect(await reasonOf('', { headers: { authorization: 'Bearer ' } })).toBe('invalid_request');
    expect(await reasonOf('', { headers: { authorization: '' } })).toBe('missing');
    expect(await reasonOf('', {} as never)).toBe('missing');
  });

  it('a token in the query string', async () => {
    expect(await reasonOf(good, { extra: { url: `/mcp?access_token=${good}` } } as never)).toBe(
      'token_in_query',
    );
    expect(
      await reasonOf(good, { ...bearer(good), extra: { query: { access_token: good } } } as never),
    ).toBe('token_in_query');
  });

  it('two tokens', async () => {
    expect(await reasonOf(good, { headers: { authorization: `Bearer ${good} ${good}` } })).toBe(
      'invalid_request',
    );
    expect(
      await reasonOf(good, {
        headers: { authorization: [`Bearer ${good}`, `Bearer ${good}`] },
      } as never),
    ).toBe('invalid_request');
    const other = await signToken(rsa, baseClaims({ jti: 'other' }));
    expect(await reasonOf(good, { token: other, ...bearer(good) } as never)).toBe(
      'invalid_request',
    );
  });

  it('a rejected forgery does not poison the cache for the genuine token', async () => {
    const [h, , s] = good.split('.') as [string, string, string];
    await reasonOf(`${h}.${b64(baseClaims({ roles: ['admin'] }))}.${s}`);
    const result = await auth.authenticate(bearer(good));
    expect(result.ok && result.value.roles).toEqual([]);
  });

  it('a principal from the cache cannot be modified by a handler', async () => {
    const result = await auth.authenticate(bearer(good));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(() => {
      (result.value.roles as string[]).push('admin');
    }).toThrow(TypeError);
    expect(() => {
      (result.value.claims as Record<string, unknown>)['sub'] = 'root';
    }).toThrow(TypeError);
  });
});

describe('the verified-token cache', () => {
  it('answers only the very token it verified: its claims under another signature, or its signature under other claims, are verified and refused', async () => {
    const token = await signToken(rsa, baseClaims({ jti: 'cache-sig' }));
    expect(await reasonOf(token)).toBeUndefined();
    expect(auth.authenticate(bearer(token))).not.toBeInstanceOf(Promise); // cached
    const dot = token.lastIndexOf('.');
    const input = token.slice(0, dot);
    const signature = token.slice(dot + 1);
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    const forgeries: [string, string][] = [
      [`${input}.${flipped}`, 'bad_signature'],
      [`${input}.${good.slice(good.lastIndexOf('.') + 1)}`, 'bad_signature'],
      [`${input}.`, 'bad_signature'],
      [`${input}.${signature}.${signature}`, 'malformed'],
      [`${input}.${signature}=`, 'malformed'],
      [
        `${b64({ alg: 'RS256', kid: 'rsa-1', typ: 'JWT' })}.${b64(baseClaims({ jti: 'cache-sig', roles: ['admin'] }))}.${signature}`,
        'bad_signature',
      ],
      [`${input.slice(0, -1)}.${signature}`, 'malformed'],
    ];
    for (const [forged, reason] of forgeries) {
      // Each one is verified (a miss), and refused.
      expect(auth.authenticate(bearer(forged))).toBeInstanceOf(Promise);
      expect(await reasonOf(forged)).toBe(reason);
    }
    // The genuine token is still answered from the cache, with its own principal.
    const again = auth.authenticate(bearer(token));
    expect(again).not.toBeInstanceOf(Promise);
    expect(
      (again as StageResult<Principal>).ok && (again as { value: Principal }).value.tokenId,
    ).toBe('cache-sig');
  });

  it('verifies a second signature over the same claims on its own (ES256 signatures differ)', async () => {
    const claims = baseClaims({ jti: 'twice' });
    const first = await signToken(ec, claims);
    const second = await signToken(ec, claims);
    expect(first.slice(0, first.lastIndexOf('.'))).toBe(second.slice(0, second.lastIndexOf('.')));
    expect(first).not.toBe(second);
    expect(await reasonOf(first)).toBeUndefined();
    expect(auth.authenticate(bearer(second))).toBeInstanceOf(Promise); // not served for first's
    expect(await reasonOf(second)).toBeUndefined();
    expect(auth.authenticate(bearer(second))).not.toBeInstanceOf(Promise);
  });

  it('leaves no token as the subject of the last regular expression match', async () => {
    const secret = 'a-secret-of-at-least-thirty-two-bytes!';
    const hmac = jwtAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      secret,
      now,
    });
    for (const token of [
      await signHmac(secret, baseClaims({ jti: 'last-match' })),
      `${(await signHmac(secret)).slice(0, -4)}AAAA`, // bad signature
    ]) {
      await hmac.authenticate(bearer(token));
      // Read before anything else runs a regular expression: V8's legacy RegExp statics
      // (`RegExp.input`) keep the subject of the last match alive.
      const lastSubject: unknown = Reflect.get(RegExp, 'input');
      expect(typeof lastSubject).toBe('string');
      expect((lastSubject as string).includes(token.slice(token.lastIndexOf('.') + 1))).toBe(false);
    }
  });

  it('leaves no token as the subject of the last match while it is being verified', async () => {
    const fresh = await signToken(ec, baseClaims({ jti: 'while-verifying' }));
    const answer = auth.authenticate(bearer(fresh));
    expect(answer).toBeInstanceOf(Promise); // a cache miss: verification under way
    // Read before anything else runs a regular expression, as above.
    const input: unknown = Reflect.get(RegExp, 'input');
    expect(String(input).includes(fresh.slice(fresh.lastIndexOf('.') + 1))).toBe(false);
    expect((await answer).ok).toBe(true);
  });

  it('leaves no token in the query string as the subject of the last match', async () => {
    const signature = good.slice(good.lastIndexOf('.') + 1);
    const answer = auth.authenticate({ extra: { url: `/mcp?access_token=${good}` } });
    // Read first, as above.
    const input: unknown = Reflect.get(RegExp, 'input');
    const lastMatch: unknown = Reflect.get(RegExp, 'lastMatch');
    const result = await answer;
    expect(result.ok ? undefined : result.error.reason).toBe('token_in_query');
    expect(typeof input).toBe('string');
    expect((input as string).includes(signature)).toBe(false);
    expect((lastMatch as string).includes('access_token')).toBe(false);
  });

  it('keeps no copy of a cached token in the heap', async () => {
    // The signature is kept only reversed, so that the test itself holds no copy either.
    let reversed = '';
    await (async () => {
      const token = await signToken(rsa, baseClaims({ jti: 'heap' }));
      reversed = Array.from(token.slice(token.lastIndexOf('.') + 1), (c) => c)
        .reverse()
        .join('');
      expect(await reasonOf(token)).toBeUndefined();
      expect(auth.authenticate(bearer(token))).not.toBeInstanceOf(Promise);
    })();
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    const dir = mkdtempSync(join(tmpdir(), 'jwt-heap-'));
    try {
      const file = writeHeapSnapshot(join(dir, 'heap.heapsnapshot'));
      const snapshot = readFileSync(file, 'latin1');
      const signature = Array.from(reversed, (c) => c)
        .reverse()
        .join('');
      // Control: the snapshot does hold strings the cache keeps (the token's claims).
      expect(snapshot).toContain('https://mcp.example.com');
      expect(snapshot.includes(signature)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the challenge', () => {
  it('is RFC 6750 shaped, with the right error code per reason', async () => {
    const missing = await auth.authenticate({});
    const expired = await auth.authenticate(
      bearer(await signToken(rsa, baseClaims({ exp: NOW - 3600 }))),
    );
    const badRequest = await auth.authenticate({ headers: { authorization: 'Bearer a b' } });
    const get = (r: StageResult<Principal>) =>
      r.ok ? undefined : (r.error as UnauthenticatedError);
    expect(get(missing)?.wwwAuthenticate).toBe('Bearer realm="agentguard"');
    expect(get(missing)?.status).toBe(401);
    expect(get(expired)?.wwwAuthenticate).toBe(
      'Bearer realm="agentguard", error="invalid_token", error_description="token expired"',
    );
    expect(get(expired)?.message).toBe('token expired');
    expect(get(badRequest)?.wwwAuthenticate).toContain('error="invalid_request"');
  });

  it('carries the resource metadata URL when configured', async () => {
    const key = await makeKey('ES256', 'rm');
    const mcp = jwtAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: { keys: [key.jwk] },
      realm: 'mcp',
      resourceMetadata: 'https://mcp.example.com/.well-known/oauth-protected-resource',
      now,
    });
    const result = await mcp.authenticate({});
    expect(!result.ok && (result.error as UnauthenticatedError).wwwAuthenticate).toBe(
      'Bearer realm="mcp", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"',
    );
  });
});
