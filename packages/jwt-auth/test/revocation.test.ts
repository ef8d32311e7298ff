import { beforeAll, describe, expect, it } from 'vitest';
import type { Logger, Principal, StageResult } from '@agentguard/core';
import { MemoryRevocationStore, jwtAuth, type RevocationStore } from '../src/index.js';
import {
  AUDIENCE,
  ISSUER,
  NOW,
  baseClaims,
  bearer,
  makeKey,
  signToken,
  type TestKey,
} from './helpers.js';

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('ES256', 'r');
});

function reasonOf(result: StageResult<Principal>): string | undefined {
  return result.ok ? undefined : result.error.reason;
}

function auth(revocation: RevocationStore, logger?: Logger) {
  return jwtAuth({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwks: { keys: [key.jwk] },
    revocation,
    ...(logger ? { logger } : {}),
    now: () => NOW * 1000,
  });
}

describe('MemoryRevocationStore', () => {
  it('revokes per tenant until exp', () => {
    let clock = NOW * 1000;
    const store = new MemoryRevocationStore({ now: () => clock });
    store.revoke('j1', 'acme', NOW + 60);
    expect(store.isRevoked('j1', 'acme')).toBe(true);
    expect(store.isRevoked('j1', 'other')).toBe(false);
    clock += 61_000;
    expect(store.isRevoked('j1', 'acme')).toBe(false);
    expect(store.size).toBe(0);
    store.revoke('j2', 'acme', NOW); // already expired: nothing to keep
    expect(store.size).toBe(0);
  });

  it('is bounded, and refuses rather than forgets when full', () => {
    let clock = NOW * 1000;
    const store = new MemoryRevocationStore({ maxEntries: 2, now: () => clock });
    store.revoke('a', 't', NOW + 10);
    store.revoke('b', 't', NOW + 100);
    expect(() => store.revoke('c', 't', NOW + 100)).toThrow(RangeError);
    expect(store.isRevoked('a', 't')).toBe(true);
    clock += 11_000; // a expired: purged to make room
    store.revoke('c', 't', NOW + 100);
    expect(store.isRevoked('c', 't')).toBe(true);
    store.unrevoke('c', 't');
    expect(store.isRevoked('c', 't')).toBe(false);
  });

  it('rejects bad input', () => {
    const store = new MemoryRevocationStore();
    expect(() => store.revoke('', 't', NOW)).toThrow(TypeError);
    expect(() => store.revoke('j', 't', Number.NaN)).toThrow(TypeError);
    expect(() => new MemoryRevocationStore({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});

describe('revocation in jwtAuth', () => {
  it('is checked on cache hits too', async () => {
    const store = new MemoryRevocationStore({ now: () => NOW * 1000 });
    const a = auth(store);
    const token = await signToken(key);
    const first = await a.authenticate(bearer(token));
    expect(first.ok).toBe(true);
    store.revoke('jti-1', 'acme', NOW + 600);
    const second = a.authenticate(bearer(token));
    expect(second).not.toBeInstanceOf(Promise); // from the cache
    expect(reasonOf(second as StageResult<Principal>)).toBe('revoked');
  });

  it('is checked on first sight', async () => {
    const store = new MemoryRevocationStore({ now: () => NOW * 1000 });
    store.revoke('jti-1', 'acme', NOW + 600);
    expect(reasonOf(await auth(store).authenticate(bearer(await signToken(key))))).toBe('revoked');
  });

  it('supports asynchronous stores', async () => {
    const revoked = new Set<string>();
    const store: RevocationStore = {
      isRevoked: async (jti, tenant) => {
        await new Promise((r) => setTimeout(r, 1));
        return revoked.has(`${tenant}/${jti}`);
      },
    };
    const a = auth(store);
    const token = await signToken(key);
    expect((await a.authenticate(bearer(token))).ok).toBe(true);
    revoked.add('acme/jti-1');
    expect(reasonOf(await a.authenticate(bearer(token)))).toBe('revoked');
  });

  it('fails closed when the store fails', async () => {
    const lines: string[] = [];
    const logger: Logger = { warn: () => {}, error: (m) => lines.push(m) };
    const token = await signToken(key);
    const throwing = auth(
      {
        isRevoked: () => {
          throw new Error('redis down');
        },
      },
      logger,
    );
    const r1 = await throwing.authenticate(bearer(token));
    expect(reasonOf(r1)).toBe('revocation_unavailable');
    expect(!r1.ok && r1.error.status).toBe(503);
    const rejecting = auth({ isRevoked: () => Promise.reject(new Error('timeout')) });
    expect(reasonOf(await rejecting.authenticate(bearer(token)))).toBe('revocation_unavailable');
    const odd = auth({ isRevoked: () => undefined as unknown as boolean });
    expect(reasonOf(await odd.authenticate(bearer(token)))).toBe('revoked');
    expect(lines).toContain('revocation check failed');
  });

  it('skips the check for tokens without jti', async () => {
    const store: RevocationStore = {
      isRevoked: () => {
        throw new Error('not called');
      },
    };
    expect(
      (await auth(store).authenticate(bearer(await signToken(key, baseClaims({ jti: undefined })))))
        .ok,
    ).toBe(true);
  });
});
