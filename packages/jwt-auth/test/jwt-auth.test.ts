import { describe, expect, it } from 'vitest';
import { jwtAuth, type JwtAuthOptions } from '../src/index.js';
import type { Principal, StageResult } from '@agentguard/core';
import {
  AUDIENCE,
  ISSUER,
  NOW,
  baseClaims,
  bearer,
  makeKey,
  signHmac,
  signToken,
} from './helpers.js';

const now = (): number => NOW * 1000;
const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long!';

async function run(
  auth: ReturnType<typeof jwtAuth>,
  token: string,
): Promise<StageResult<Principal>> {
  return auth.authenticate(bearer(token));
}

function reasonOf(result: StageResult<Principal>): string | undefined {
  return result.ok ? undefined : result.error.reason;
}

describe('jwtAuth: algorithms and key sources', () => {
  it.each(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])(
    'verifies %s with a local JWKS',
    async (alg) => {
      const key = await makeKey(alg, `k-${alg}`);
      const auth = jwtAuth({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg as 'RS256'],
        jwks: { keys: [key.jwk] },
        now,
      });
      const result = await run(auth, await signToken(key));
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.value.subject).toBe('user-1');
        expect(result.value.tenantId).toBe('acme');
        expect(result.value.authenticatedBy).toBe('jwt');
      }
    },
  );

  it('verifies with a PEM public key, a JWK and a KeyObject', async () => {
    const key = await makeKey('RS256', 'pem');
    const pem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const token = await signToken(key);
    for (const publicKey of [pem, key.jwk, key.publicKey]) {
      const auth = jwtAuth({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['RS256'],
        publicKey,
        now,
      });
      expect((await run(auth, token)).ok).toBe(true);
    }
  });

  it('verifies an HMAC shared secret when opted in', async () => {
    const auth = jwtAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      secret: SECRET,
      now,
    });
    expect((await run(auth, await signHmac(SECRET))).ok).toBe(true);
    expect(reasonOf(await run(auth, await signHmac(`${SECRET}x`)))).toBe('bad_signature');
  });

  it('only accepts the configured kid for a single key', async () => {
    const key = await makeKey('ES256', 'right');
    const auth = jwtAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      publicKey: key.publicKey,
      kid: 'right',
      now,
    });
    expect((await run(auth, await signToken(key))).ok).toBe(true);
    expect(reasonOf(await run(auth, await signToken(key, baseClaims(), { kid: 'other' })))).toBe(
      'unknown_kid',
    );
  });
});

describe('jwtAuth: claim mapping', () => {
  async function principalFor(
    claims: Record<string, unknown>,
    options: Partial<JwtAuthOptions> = {},
  ) {
    const key = await makeKey('ES256', 'c');
    const auth = jwtAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: { keys: [key.jwk] },
      now,
      ...options,
    });
    return run(auth, await signToken(key, claims));
  }

  it('maps the default claims, scopes from scope and scp', async () => {
    const result = await principalFor(
      baseClaims({
        roles: ['admin', 'admin', 'viewer'],
        permissions: 'crm:read crm:write',
        scope: 'tools.read tools.write',
        scp: ['extra'],
        acr: 'urn:mfa',
        amr: ['pwd', 'otp'],
        auth_time: NOW - 60,
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const p = result.value;
    expect(p.roles).toEqual(['admin', 'viewer']);
    expect(p.permissions).toEqual(['crm:read', 'crm:write']);
    expect(p.scopes).toEqual(['tools.read', 'tools.write', 'extra']);
    expect(p.authLevel).toEqual({ acr: 'urn:mfa', amr: ['pwd', 'otp'], authTime: NOW - 60 });
    expect(p.tokenId).toBe('jti-1');
    expect(p.expiresAt).toBe(NOW + 600);
    expect(Object.isFrozen(p.claims)).toBe(true);
    expect(p.agent).toBeUndefined();
  });

  it('reads nested and URL-namespaced claim paths', async () => {
    const result = await principalFor(
      baseClaims({
        realm_access: { roles: ['r1'] },
        'https://example.com/perms': ['p1'],
        org: { 'team.id': 'blue' },
      }),
      {
        claims: {
          roles: 'realm_access.roles',
          permissions: 'https://example.com/perms',
          tenant: 'org.team\\.id',
        },
      },
    );
    expect(result.ok && result.value.roles).toEqual(['r1']);
    expect(result.ok && result.value.permissions).toEqual(['p1']);
    expect(result.ok && result.value.tenantId).toBe('blue');
  });

  it('records an RFC 8693 actor and the agent identity', async () => {
    const result = await principalFor(
      baseClaims({
        act: { sub: 'agent-7', client_id: 'bot' },
        agent_sponsor: 'alice@example.com',
        agent_risk_tier: 'high',
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.subject).toBe('user-1');
    expect(result.value.actor).toEqual({
      subject: 'agent-7',
      claims: { sub: 'agent-7', client_id: 'bot' },
    });
    expect(result.value.agent).toEqual({
      id: 'agent-7',
      sponsor: 'alice@example.com',
      riskTier: 'high',
    });
  });

  it('prefers a configured agent id claim over the actor', async () => {
    const result = await principalFor(baseClaims({ agent_id: 'agent-x', act: { sub: 'svc' } }));
    expect(result.ok && result.value.agent?.id).toBe('agent-x');
    expect(result.ok && result.value.actor?.subject).toBe('svc');
  });

  it.each([
    [
      'keycloak',
      { realm_access: { roles: ['kc-admin'] }, tenant_id: 't1' },
      { roles: ['kc-admin'], tenantId: 't1' },
    ],
    [
      'entra',
      { oid: 'oid-1', tid: 'tid-1', roles: ['Tool.Call'], scp: 'a b', tenant_id: undefined },
      { subject: 'oid-1', tenantId: 'tid-1', roles: ['Tool.Call'], scopes: ['a', 'b'] },
    ],
    [
      'okta',
      { groups: ['g1'], scp: ['s1'], tenant_id: undefined },
      { roles: ['g1'], scopes: ['s1'], tenantId: 'okta-tenant' },
    ],
    [
      'auth0',
      { org_id: 'org_1', permissions: ['read:x'], scope: 'openid', tenant_id: undefined },
      { tenantId: 'org_1', permissions: ['read:x'], scopes: ['openid'], roles: [] },
    ],
    [
      'frontegg',
      { tenantId: 'fe-1', roles: ['Admin'], permissions: ['fe.read'], tenant_id: undefined },
      { tenantId: 'fe-1', roles: ['Admin'], permissions: ['fe.read'] },
    ],
  ] as const)('preset %s', async (preset, claims, expected) => {
    const result = await principalFor(baseClaims(claims), {
      preset,
      ...(preset === 'okta' ? { tenantId: 'okta-tenant' } : {}),
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toMatchObject(expected);
  });

  it('lets claims override a preset field by field', async () => {
    const result = await principalFor(
      baseClaims({ 'https://acme.com/roles': ['owner'], org_id: 'o' }),
      { preset: 'auth0', claims: { roles: 'https://acme.com/roles' } },
    );
    expect(result.ok && result.value.roles).toEqual(['owner']);
    expect(result.ok && result.value.tenantId).toBe('o');
  });

  it('refuses a token without a tenant unless a default is configured', async () => {
    const claims = baseClaims({ tenant_id: undefined });
    expect(reasonOf(await principalFor(claims))).toBe('missing_tenant');
    const withDefault = await principalFor(claims, { defaultTenant: 'public' });
    expect(withDefault.ok && withDefault.value.tenantId).toBe('public');
  });

  it('binds a tenant to the issuer', async () => {
    const bound = await principalFor(baseClaims({ tenant_id: undefined }), { tenantId: 'bound' });
    expect(bound.ok && bound.value.tenantId).toBe('bound');
    expect(
      reasonOf(await principalFor(baseClaims({ tenant_id: 'other' }), { tenantId: 'bound' })),
    ).toBe('tenant_mismatch');
  });

  it.each([
    ['sub missing', { sub: undefined }, 'missing_claim'],
    ['sub not a string', { sub: 42 }, 'invalid_claims'],
    ['roles not strings', { roles: [1, 2] }, 'invalid_claims'],
    ['roles an object', { roles: { admin: true } }, 'invalid_claims'],
    ['tenant empty', { tenant_id: '' }, 'invalid_claims'],
    ['act without sub', { act: { client_id: 'x' } }, 'invalid_claims'],
    ['amr not a list', { amr: 'pwd' }, 'invalid_claims'],
    ['jti a number', { jti: 5 }, 'invalid_claims'],
    ['exp a string', { exp: String(NOW + 60) }, 'invalid_claims'],
  ])('refuses %s', async (_label, extra, reason) => {
    expect(reasonOf(await principalFor(baseClaims(extra as Record<string, unknown>)))).toBe(reason);
  });

  it('does not read inherited properties as claims', async () => {
    const result = await principalFor(baseClaims({ tenant_id: undefined }), {
      claims: { tenant: 'constructor.name' },
    });
    expect(reasonOf(result)).toBe('missing_tenant');
  });
});

describe('jwtAuth: time, audience, typ', () => {
  async function setup(options: Partial<JwtAuthOptions> = {}) {
    const key = await makeKey('ES256', 't');
    const auth = jwtAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: { keys: [key.jwk] },
      now,
      ...options,
    });
    return { key, auth };
  }

  it('applies the clock tolerance (default 30 s)', async () => {
    const { key, auth } = await setup();
    expect((await run(auth, await signToken(key, baseClaims({ exp: NOW - 20 })))).ok).toBe(true);
    expect(reasonOf(await run(auth, await signToken(key, baseClaims({ exp: NOW - 31 }))))).toBe(
      'expired',
    );
    expect((await run(auth, await signToken(key, baseClaims({ nbf: NOW + 20 })))).ok).toBe(true);
    expect(reasonOf(await run(auth, await signToken(key, baseClaims({ nbf: NOW + 31 }))))).toBe(
      'not_yet_valid',
    );
  });

  it('requires exp by default, and can be told not to', async () => {
    const { key, auth } = await setup();
    const token = await signToken(key, baseClaims({ exp: undefined }));
    expect(reasonOf(await run(auth, token))).toBe('missing_claim');
    const { auth: lax } = await setup({ requireExp: false, jwks: { keys: [key.jwk] } });
    expect((await run(lax, token)).ok).toBe(true);
  });

  it('accepts an aud array containing the audience, and several configured audiences', async () => {
    const { key, auth } = await setup({ audience: [AUDIENCE, 'other'] });
    expect((await run(auth, await signToken(key, baseClaims({ aud: ['x', 'other'] })))).ok).toBe(
      true,
    );
    expect(reasonOf(await run(auth, await signToken(key, baseClaims({ aud: ['x', 'y'] }))))).toBe(
      'audience_mismatch',
    );
    expect(reasonOf(await run(auth, await signToken(key, baseClaims({ aud: undefined }))))).toBe(
      'audience_mismatch',
    );
  });

  it('checks typ at+jwt (RFC 9068) when configured', async () => {
    const { key, auth } = await setup({ typ: 'at+jwt' });
    expect(await run(auth, await signToken(key, baseClaims(), { typ: 'at+jwt' }))).toMatchObject({
      ok: true,
    });
    expect(
      await run(auth, await signToken(key, baseClaims(), { typ: 'application/AT+JWT' })),
    ).toMatchObject({ ok: true });
    expect(reasonOf(await run(auth, await signToken(key, baseClaims(), { typ: 'JWT' })))).toBe(
      'type_mismatch',
    );
    expect(reasonOf(await run(auth, await signToken(key, baseClaims(), { typ: undefined })))).toBe(
      'type_mismatch',
    );
  });
});

describe('jwtAuth: verified-token cache', () => {
  it('answers a repeated token from the cache with the same principal', async () => {
    const key = await makeKey('RS256', 'cache');
    const auth = jwtAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      jwks: { keys: [key.jwk] },
      now,
    });
    const token = await signToken(key);
    const first = await run(auth, token);
    const second = auth.authenticate(bearer(token));
    // A hit is answered synchronously: no signature verification, no await.
    expect(second).not.toBeInstanceOf(Promise);
    expect(first.ok && (second as StageResult<Principal>).ok).toBe(true);
    if (first.ok && !(second instanceof Promise) && second.ok)
      expect(second.value).toBe(first.value);
  });

  it('never serves an entry past the token exp', async () => {
    const key = await makeKey('ES256', 'exp');
    let clock = NOW * 1000;
    const auth = jwtAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: { keys: [key.jwk] },
      clockTolerance: 0,
      now: () => clock,
    });
    const token = await signToken(key, baseClaims({ exp: NOW + 5 }));
    expect((await run(auth, token)).ok).toBe(true);
    clock = (NOW + 5) * 1000;
    expect(reasonOf(await run(auth, token))).toBe('expired');
  });

  it('bounds cached entries by maxTtl and max, and can be turned off', async () => {
    const key = await makeKey('ES256', 'ttl');
    let clock = NOW * 1000;
    const options = {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256' as const],
      jwks: { keys: [key.jwk] },
      now: () => clock,
    };
    const auth = jwtAuth({ ...options, cache: { max: 1, maxTtl: 10 } });
    const a = await signToken(key, baseClaims({ jti: 'a' }));
    const b = await signToken(key, baseClaims({ jti: 'b' }));
    await run(auth, a);
    expect(auth.authenticate(bearer(a))).not.toBeInstanceOf(Promise);
    await run(auth, b); // evicts a
    expect(auth.authenticate(bearer(a))).toBeInstanceOf(Promise);
    clock += 11_000;
    expect(auth.authenticate(bearer(a))).toBeInstanceOf(Promise);
    const uncached = jwtAuth({ ...options, cache: false });
    await run(uncached, a);
    expect(uncached.authenticate(bearer(a))).toBeInstanceOf(Promise);
  });
});
