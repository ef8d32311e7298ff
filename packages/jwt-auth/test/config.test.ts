import { generateKeyPairSync, createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GuardConfigError } from '@agentguard/core';
import { jwtAuth, type JwtAuthOptions } from '../src/index.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const base = { issuer: 'https://id.example.com/', audience: 'api' };

function configError(options: unknown): GuardConfigError {
  try {
    jwtAuth(options as JwtAuthOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(GuardConfigError);
    return error as GuardConfigError;
  }
  throw new Error('expected a GuardConfigError');
}

describe('jwtAuth configuration is validated once, at construction', () => {
  it.each([
    ['no issuer', { audience: 'api', algorithms: ['RS256'], publicKey: pem }, 'issuer'],
    ['no audience', { issuer: base.issuer, algorithms: ['RS256'], publicKey: pem }, 'audience'],
    ['no algorithms', { ...base, publicKey: pem }, 'algorithms'],
    ['empty algorithms', { ...base, algorithms: [], publicKey: pem }, 'algorithms'],
    ['alg none', { ...base, algorithms: ['none'], publicKey: pem }, 'algorithms[0]'],
    ['no key source', { ...base, algorithms: ['RS256'] }, 'jwtAuth'],
    [
      'two key sources',
      { ...base, algorithms: ['RS256'], publicKey: pem, jwksUri: 'https://x/jwks' },
      'jwtAuth',
    ],
    [
      'HS with RS',
      { ...base, algorithms: ['HS256', 'RS256'], secret: 'x'.repeat(64) },
      'algorithms',
    ],
    [
      'secret with RS algorithms',
      { ...base, algorithms: ['RS256'], secret: 'x'.repeat(64) },
      'algorithms',
    ],
    ['HS with a public key', { ...base, algorithms: ['HS256'], publicKey: pem }, 'algorithms'],
    ['short secret', { ...base, algorithms: ['HS256'], secret: 'short' }, 'secret'],
    [
      'short secret for HS512',
      { ...base, algorithms: ['HS512'], secret: 'x'.repeat(40) },
      'secret',
    ],
    [
      'a private PEM',
      {
        ...base,
        algorithms: ['RS256'],
        publicKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      },
      'publicKey',
    ],
    [
      'a private KeyObject',
      { ...base, algorithms: ['RS256'], publicKey: rsa.privateKey },
      'publicKey',
    ],
    [
      'a 1024-bit RSA key',
      { ...base, algorithms: ['RS256'], publicKey: weak.publicKey },
      'publicKey',
    ],
    [
      'a key for another algorithm',
      { ...base, algorithms: ['ES256'], publicKey: pem },
      'publicKey',
    ],
    [
      'garbage PEM',
      { ...base, algorithms: ['RS256'], publicKey: '-----BEGIN PUBLIC KEY-----\nxx' },
      'publicKey',
    ],
    [
      'http jwksUri',
      { ...base, algorithms: ['RS256'], jwksUri: 'http://idp.example.com/jwks' },
      'jwksUri',
    ],
    [
      'jwksUri with credentials',
      { ...base, algorithms: ['RS256'], jwksUri: 'https://u:p@idp.example.com/jwks' },
      'jwksUri',
    ],
    [
      'discovery without an https issuer',
      { ...base, issuer: 'acme', algorithms: ['RS256'], discovery: true },
      'issuer',
    ],
    ['an empty JWKS', { ...base, algorithms: ['RS256'], jwks: { keys: [] } }, 'jwks'],
    ['not a JWKS', { ...base, algorithms: ['RS256'], jwks: [] }, 'jwks'],
    [
      'clock tolerance too large',
      { ...base, algorithms: ['RS256'], publicKey: pem, clockTolerance: 3600 },
      'clockTolerance',
    ],
    [
      'bad cache size',
      { ...base, algorithms: ['RS256'], publicKey: pem, cache: { max: 0 } },
      'cache.max',
    ],
    [
      'bad remote timeout',
      { ...base, algorithms: ['RS256'], jwksUri: 'https://x/jwks', remote: { timeout: -1 } },
      'remote.timeout',
    ],
    [
      'unknown preset',
      { ...base, algorithms: ['RS256'], publicKey: pem, preset: 'nope' },
      'preset',
    ],
    [
      'bad claim path',
      { ...base, algorithms: ['RS256'], publicKey: pem, claims: { roles: 'a..b' } },
      'claims.roles[0]',
    ],
    ['kid with a JWKS', { ...base, algorithms: ['RS256'], jwks: { keys: [] }, kid: 'x' }, 'kid'],
    [
      'bad revocation store',
      { ...base, algorithms: ['RS256'], publicKey: pem, revocation: {} },
      'revocation',
    ],
    ['empty issuers', { issuers: [] }, 'issuers'],
    [
      'duplicate issuers',
      {
        audience: 'api',
        algorithms: ['RS256'],
        issuers: [
          { issuer: 'a', publicKey: pem },
          { issuer: 'a', publicKey: pem },
        ],
      },
      'issuers[1].issuer',
    ],
    [
      'top-level key with issuers',
      {
        publicKey: pem,
        audience: 'api',
        algorithms: ['RS256'],
        issuers: [{ issuer: 'a', publicKey: pem }],
      },
      'publicKey',
    ],
    [
      'HMAC issuer beside an RSA issuer',
      {
        audience: 'api',
        issuers: [
          { issuer: 'a', algorithms: ['RS256'], publicKey: pem },
          { issuer: 'b', algorithms: ['HS256'], secret: 'x'.repeat(64) },
        ],
      },
      'issuers[1].algorithms',
    ],
  ])('refuses %s', (_label, options, path) => {
    const error = configError(options);
    expect(error.path).toBe(path);
    // A config error never echoes key or secret material.
    expect(error.message).not.toContain('BEGIN');
    expect(error.message).not.toContain('xxxxxxxx');
  });

  it('accepts a secret as bytes or a KeyObject', () => {
    const bytes = new Uint8Array(32).fill(7);
    expect(jwtAuth({ ...base, algorithms: ['HS256'], secret: bytes }).kind).toBe('authenticator');
    expect(
      jwtAuth({ ...base, algorithms: ['HS256'], secret: createSecretKey(Buffer.from(bytes)) }).name,
    ).toBe('jwt');
  });

  it('accepts http on loopback and with allowInsecureHttp', () => {
    expect(
      jwtAuth({ ...base, algorithms: ['RS256'], jwksUri: 'http://127.0.0.1:9/jwks' }).kind,
    ).toBe('authenticator');
    expect(
      jwtAuth({
        ...base,
        algorithms: ['RS256'],
        jwksUri: 'http://idp.internal/jwks',
        remote: { allowInsecureHttp: true },
      }).kind,
    ).toBe('authenticator');
  });
});
