import { createHmac } from 'node:crypto';

// What the bench servers and their clients share: the HS256 secret and the token's
// issuer and audience.
export const SECRET = 'bench-secret-of-at-least-32-bytes!!';
export const ISSUER = 'https://id.bench.example/';
export const AUDIENCE = 'https://orders.bench.example';

/** An HS256 access token for the guarded route, valid for an hour. */
export function benchToken(): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'agent-1',
    tenant_id: 'tenant-a',
    roles: ['clerk'],
    iat: now,
    exp: now + 3600,
  })}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}
