import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger, Principal, StageResult } from '@agentguard/core';
import { jwtAuth } from '../src/index.js';
import {
  AUDIENCE,
  NOW,
  baseClaims,
  bearer,
  json,
  makeKey,
  signToken,
  startServer,
  type TestKey,
  type TestServer,
} from './helpers.js';

let k1: TestKey;
let k2: TestKey;
let k3: TestKey;
const servers: TestServer[] = [];

beforeAll(async () => {
  [k1, k2, k3] = await Promise.all([
    makeKey('ES256', 'k1'),
    makeKey('ES256', 'k2'),
    makeKey('ES256', 'k3'),
  ]);
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(body: unknown): Promise<TestServer> {
  const s = await startServer(json(body));
  servers.push(s);
  return s;
}

function reasonOf(result: StageResult<Principal>): string | undefined {
  return result.ok ? undefined : result.error.reason;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    warn: (message, fields) => lines.push(`${message} ${JSON.stringify(fields)}`),
    error: (message, fields) => lines.push(`${message} ${JSON.stringify(fields)}`),
  };
}

function setup(jwksUri: string, clock: { t: number }, extra: Record<string, unknown> = {}) {
  const issuer = 'https://id.example.com/';
  return jwtAuth({
    issuer,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwksUri,
    remote: { cacheMaxAge: 600, cooldown: 30, staleIfError: 3600, timeout: 1000 },
    cache: false,
    now: () => clock.t,
    ...extra,
  });
}

async function tokenOf(key: TestKey, jti = 'j'): Promise<string> {
  return signToken(key, {
    ...baseClaims({ jti, exp: NOW + 7 * 86_400 }),
    iss: 'https://id.example.com/',
  });
}

describe('remote JWKS', () => {
  it('fetches once and reuses the key set while fresh', async () => {
    const s = await server({ keys: [k1.jwk] });
    const clock = { t: NOW * 1000 };
    const auth = setup(`${s.url}/jwks`, clock);
    const token = await tokenOf(k1);
    for (let i = 0; i < 3; i++) expect((await auth.authenticate(bearer(token))).ok).toBe(true);
    expect(s.requests).toEqual(['/jwks']);
  });

  it('refetches on an unknown kid, at most once per cooldown (key rotation)', async () => {
    const s = await server({ keys: [k1.jwk] });
    const clock = { t: NOW * 1000 };
    const auth = setup(`${s.url}/jwks`, clock);
    expect((await auth.authenticate(bearer(await tokenOf(k1)))).ok).toBe(true);
    // The IdP rotates: k2 is published, k1 retired.
    s.handler = json({ keys: [k2.jwk] });
    clock.t += 5_000; // inside the cooldown after the first fetch
    expect(reasonOf(await auth.authenticate(bearer(await tokenOf(k2))))).toBe('unknown_kid');
    expect(s.requests).toHaveLength(1);
    clock.t += 30_000;
    expect((await auth.authenticate(bearer(await tokenOf(k2)))).ok).toBe(true);
    expect(s.requests).toHaveLength(2);
    // The retired key no longer verifies, and a flood of unknown kids costs no extra fetch.
    expect(reasonOf(await auth.authenticate(bearer(await tokenOf(k1))))).toBe('unknown_kid');
    for (let i = 0; i < 5; i++) {
      expect(reasonOf(await auth.authenticate(bearer(await tokenOf(k3, `f${i}`))))).toBe(
        'unknown_kid',
      );
    }
    expect(s.requests).toHaveLength(2);
  });

  it('shares one fetch among concurrent callers', async () => {
    const s = await server({ keys: [k1.jwk] });
    const auth = setup(`${s.url}/jwks`, { t: NOW * 1000 });
    const token = await tokenOf(k1);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => Promise.resolve(auth.authenticate(bearer(token)))),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(s.requests).toHaveLength(1);
  });

  it('keeps known keys through an outage (stale-if-error), then gives up', async () => {
    const s = await server({ keys: [k1.jwk] });
    const clock = { t: NOW * 1000 };
    const logger = recordingLogger();
    const auth = setup(`${s.url}/jwks`, clock, { logger });
    const token = await tokenOf(k1);
    expect((await auth.authenticate(bearer(token))).ok).toBe(true);
    s.handler = json({ error: 'down' }, 503);
    clock.t += 601_000; // stale: a refresh is attempted and fails
    expect((await auth.authenticate(bearer(token))).ok).toBe(true);
    expect(s.requests).toHaveLength(2);
    expect(logger.lines.some((l) => l.startsWith('jwks fetch failed'))).toBe(true);
    // Within the cooldown the failed endpoint is not hammered.
    expect((await auth.authenticate(bearer(token))).ok).toBe(true);
    expect(s.requests).toHaveLength(2);
    // An unknown kid during the outage is refused, known keys keep working.
    clock.t += 31_000;
    expect(reasonOf(await auth.authenticate(bearer(await tokenOf(k2))))).toBe('unknown_kid');
    // Past cacheMaxAge + staleIfError, the old keys are no longer trusted.
    clock.t += 3600_000;
    expect(reasonOf(await auth.authenticate(bearer(token)))).toBe('key_unavailable');
    // Recovery.
    s.handler = json({ keys: [k1.jwk] });
    clock.t += 31_000;
    expect((await auth.authenticate(bearer(token))).ok).toBe(true);
    expect(logger.lines.join('\n')).not.toContain(token);
  });

  it('answers key_unavailable (503) when the keys were never fetched', async () => {
    const s = await server({});
    s.handler = (req) => req.socket.destroy();
    const auth = setup(`${s.url}/jwks`, { t: NOW * 1000 });
    const result = await auth.authenticate(bearer(await tokenOf(k1)));
    expect(reasonOf(result)).toBe('key_unavailable');
    expect(!result.ok && result.error.status).toBe(503);
  });

  it('refuses oversized, non-JWKS, redirecting and slow responses', async () => {
    const token = await tokenOf(k1);
    const big = await server({ keys: [k1.jwk], pad: 'x'.repeat(300_000) });
    expect(
      reasonOf(await setup(`${big.url}/jwks`, { t: NOW * 1000 }).authenticate(bearer(token))),
    ).toBe('key_unavailable');
    const notJwks = await server({ hello: 'world' });
    expect(
      reasonOf(await setup(`${notJwks.url}/jwks`, { t: NOW * 1000 }).authenticate(bearer(token))),
    ).toBe('key_unavailable');
    const privateOnly = await server({ keys: [{ ...k1.jwk, d: 'AAAA' }] });
    expect(
      reasonOf(
        await setup(`${privateOnly.url}/jwks`, { t: NOW * 1000 }).authenticate(bearer(token)),
      ),
    ).toBe('key_unavailable');
    const redirect = await startServer((_req, res) => {
      res.writeHead(302, { location: `${big.url}/jwks` });
      res.end();
    });
    servers.push(redirect);
    expect(
      reasonOf(await setup(`${redirect.url}/jwks`, { t: NOW * 1000 }).authenticate(bearer(token))),
    ).toBe('key_unavailable');
    const slow = await startServer(() => {
      // never answers
    });
    servers.push(slow);
    const slowAuth = setup(
      `${slow.url}/jwks`,
      { t: NOW * 1000 },
      {
        remote: { timeout: 200 },
      },
    );
    expect(reasonOf(await slowAuth.authenticate(bearer(token)))).toBe('key_unavailable');
  });
});

describe('OIDC discovery', () => {
  it('finds the jwks_uri and checks the issuer exactly', async () => {
    const s = await startServer(() => {});
    servers.push(s);
    const issuer = `${s.url}/realms/acme`;
    s.handler = (req, res) => {
      if (req.url === '/realms/acme/.well-known/openid-configuration') {
        json({ issuer, jwks_uri: `${s.url}/realms/acme/certs` })(req, res);
      } else if (req.url === '/realms/acme/certs') {
        json({ keys: [k1.jwk] })(req, res);
      } else {
        json({}, 404)(req, res);
      }
    };
    const auth = jwtAuth({
      issuer,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      discovery: true,
      now: () => NOW * 1000,
    });
    const token = await signToken(k1, baseClaims({ iss: issuer }));
    expect((await auth.authenticate(bearer(token))).ok).toBe(true);
    expect(s.requests).toEqual([
      '/realms/acme/.well-known/openid-configuration',
      '/realms/acme/certs',
    ]);
  });

  it('refuses a discovery document for another issuer', async () => {
    const s = await startServer(() => {});
    servers.push(s);
    const issuer = `${s.url}/tenant-a`;
    s.handler = (req, res) => {
      if (req.url?.endsWith('openid-configuration')) {
        json({ issuer: `${s.url}/tenant-b`, jwks_uri: `${s.url}/certs` })(req, res);
      } else {
        json({ keys: [k1.jwk] })(req, res);
      }
    };
    const logger = recordingLogger();
    const auth = jwtAuth({
      issuer,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      discovery: true,
      logger,
      now: () => NOW * 1000,
    });
    const result = await auth.authenticate(
      bearer(await signToken(k1, baseClaims({ iss: issuer }))),
    );
    expect(reasonOf(result)).toBe('key_unavailable');
    expect(s.requests).not.toContain('/certs');
    expect(logger.lines.join()).toContain('discovery issuer mismatch');
  });
});
