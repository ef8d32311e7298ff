import { createSecretKey, KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey as JoseKey } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { jwtAuth, type JwtAlgorithm } from '@agentguard/jwt-auth';
import type { Authenticator } from '@agentguard/core';
import { reportTarget, runSuite, type BenchCase } from '../../../bench/lib/harness.js';

const ISSUER = 'https://id.example.com/';
const AUDIENCE = 'https://mcp.example.com';
const SECRET = new TextEncoder().encode('bench-secret-bench-secret-bench-secret-0123');

interface Fixture {
  readonly alg: JwtAlgorithm;
  readonly token: string;
  readonly joseKey: JoseKey | Uint8Array;
  readonly keyObject: KeyObject;
  readonly pem: string | undefined;
  readonly cold: Authenticator;
  readonly cached: Authenticator;
}

async function fixture(alg: JwtAlgorithm): Promise<Fixture> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: 'user-1',
    tenant_id: 'acme',
    roles: ['analyst', 'viewer'],
    permissions: ['crm:read', 'crm:write'],
    jti: `jti-${alg}`,
    iat: now,
    exp: now + 3600,
    iss: ISSUER,
    aud: AUDIENCE,
  };
  const common = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] };
  if (alg === 'HS256') {
    const token = await new SignJWT(claims).setProtectedHeader({ alg }).sign(SECRET);
    const joseKey = await crypto.subtle.importKey(
      'raw',
      SECRET,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    return {
      alg,
      token,
      joseKey,
      keyObject: createSecretKey(SECRET),
      pem: undefined,
      cold: jwtAuth({ ...common, secret: SECRET, cache: false }),
      cached: jwtAuth({ ...common, secret: SECRET }),
    };
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg };
  const token = await new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).sign(privateKey);
  const keyObject = KeyObject.from(publicKey);
  return {
    alg,
    token,
    joseKey: publicKey,
    keyObject,
    pem: keyObject.export({ type: 'spki', format: 'pem' }).toString(),
    cold: jwtAuth({ ...common, jwks: { keys: [jwk] }, cache: false }),
    cached: jwtAuth({ ...common, jwks: { keys: [jwk] } }),
  };
}

async function ensureOk(auth: Authenticator, token: string): Promise<void> {
  const result = await auth.authenticate({ headers: { authorization: `Bearer ${token}` } });
  if (!result.ok) throw new Error(`bench token refused: ${result.error.reason ?? ''}`);
}

const fixtures = await Promise.all((['HS256', 'RS256', 'ES256', 'EdDSA'] as const).map(fixture));
const cases: BenchCase[] = [];
const jwtOptions = { issuer: ISSUER, audience: AUDIENCE };

for (const f of fixtures) {
  const context = { headers: { authorization: `Bearer ${f.token}` } };
  await ensureOk(f.cold, f.token);
  await ensureOk(f.cached, f.token);
  cases.push({
    name: `agentguard jwtAuth ${f.alg} cold (cache off)`,
    library: 'agentguard',
    fn: () => f.cold.authenticate(context),
  });
  cases.push({
    name: `agentguard jwtAuth ${f.alg} cached`,
    library: 'agentguard',
    fn: () => f.cached.authenticate(context),
  });
  cases.push({
    name: `jose jwtVerify ${f.alg} (CryptoKey)`,
    library: 'jose',
    fn: () => jwtVerify(f.token, f.joseKey, { ...jwtOptions, algorithms: [f.alg] }),
  });
  if (f.alg !== 'EdDSA') {
    const algorithms = [f.alg as jsonwebtoken.Algorithm];
    cases.push({
      name: `jsonwebtoken verify ${f.alg} (KeyObject)`,
      library: 'jsonwebtoken',
      fn: () => jsonwebtoken.verify(f.token, f.keyObject, { ...jwtOptions, algorithms }),
    });
    const stringKey = f.pem ?? Buffer.from(SECRET).toString('utf8');
    cases.push({
      name: `jsonwebtoken verify ${f.alg} (${f.pem ? 'PEM string' : 'string secret'})`,
      library: 'jsonwebtoken',
      fn: () => jsonwebtoken.verify(f.token, stringKey, { ...jwtOptions, algorithms }),
    });
  }
}

const rows = await runSuite('jwt-auth verification', cases, {
  baseline: 'agentguard jwtAuth RS256 cold (cache off)',
});
const cold = rows.find((r) => r.name === 'agentguard jwtAuth RS256 cold (cache off)');
const cached = rows.find((r) => r.name === 'agentguard jwtAuth RS256 cached');
if (cold && cached) {
  // Throughput ratio: the conservative one (mean latency of the async cold path is inflated
  // by WebCrypto thread-pool outliers, which would flatter the ratio).
  const ratio = cached.opsPerSecond / cold.opsPerSecond;
  const p50Ratio = cold.p50Micros / cached.p50Micros;
  reportTarget(
    'cached verification >= 50x cheaper than cold RS256',
    ratio >= 50,
    `ops/s x${ratio.toFixed(1)}; p50 cold ${cold.p50Micros.toFixed(2)} µs vs cached ${cached.p50Micros.toFixed(2)} µs, x${p50Ratio.toFixed(1)}`,
  );
}
