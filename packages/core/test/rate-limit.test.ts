import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  GuardConfigError,
  MemoryRateLimitStore,
  RateLimitedError,
  allowAllAccess,
  createGuard,
  type RateLimitRule,
} from '@agentguard/core';
import { principal, tableAuthenticator } from './helpers.js';

const def = { input: z.object({}), operation: 'read' as const };

function setup(rules: RateLimitRule[], clock: { t: number }) {
  const guard = createGuard({
    authenticator: tableAuthenticator({
      a1: principal({ subject: 'alice', tenantId: 'A' }),
      a2: principal({ subject: 'bob', tenantId: 'A' }),
      b1: principal({ subject: 'alice', tenantId: 'B' }),
    }),
    accessControl: allowAllAccess(),
    rateLimits: rules,
    now: () => clock.t,
  });
  const read = guard('crm.read', def, (_args, ctx) => ctx.rateLimit);
  const write = guard('crm.write', def, () => 'ok');
  return { read, write };
}

describe('rate limits', () => {
  it('counts per tenant and principal by default, never across tenants', async () => {
    const clock = { t: 1_000_000 };
    const { read } = setup([{ id: 'per-user', limit: 2, windowMs: 60_000 }], clock);
    await read({}, { token: 'a1' });
    const info = await read({}, { token: 'a1' });
    expect(info).toMatchObject({ rule: 'per-user', limit: 2, remaining: 0 });
    const third = await read.execute({}, { token: 'a1' });
    expect(third.ok).toBe(false);
    if (third.ok) return;
    expect(third.error).toBeInstanceOf(RateLimitedError);
    expect(third.error.status).toBe(429);
    expect((third.error as RateLimitedError).retryAfter).toBeGreaterThan(0);
    // Same subject name in another tenant, and another subject of the same tenant: untouched.
    await expect(read({}, { token: 'b1' })).resolves.toBeDefined();
    await expect(read({}, { token: 'a2' })).resolves.toBeDefined();
  });

  it('slides: the previous window decays', async () => {
    const clock = { t: 0 };
    const { read } = setup([{ id: 'w', limit: 10, windowMs: 1000, by: ['tenant'] }], clock);
    for (let i = 0; i < 10; i++) await read({}, { token: 'a1' });
    expect((await read.execute({}, { token: 'a1' })).ok).toBe(false);
    clock.t = 1000; // new window, previous still counts fully
    const denied = await read.execute({}, { token: 'a1' });
    expect(denied.ok).toBe(false);
    const retryAfter = !denied.ok ? (denied.error as RateLimitedError).retryAfter : 0;
    expect(retryAfter).toBe(1);
    clock.t = 1500; // half of the previous window has slid out: 5 of 10 still count
    let allowed = 0;
    while ((await read.execute({}, { token: 'a1' })).ok) allowed += 1;
    expect(allowed).toBe(5);
  });

  it('token bucket refills continuously', async () => {
    const clock = { t: 0 };
    const { read } = setup(
      [{ id: 'b', limit: 5, windowMs: 5000, algorithm: 'token-bucket', by: ['principal'] }],
      clock,
    );
    for (let i = 0; i < 5; i++) await read({}, { token: 'a1' });
    const denied = await read.execute({}, { token: 'a1' });
    expect(!denied.ok && (denied.error as RateLimitedError).retryAfter).toBe(1);
    clock.t = 2000; // 2 tokens back
    expect((await read.execute({}, { token: 'a1' })).ok).toBe(true);
    expect((await read.execute({}, { token: 'a1' })).ok).toBe(true);
    expect((await read.execute({}, { token: 'a1' })).ok).toBe(false);
  });

  it('applies per-tool rules only to their tools, and every matching rule', async () => {
    const clock = { t: 0 };
    const { read, write } = setup(
      [
        { id: 'writes', limit: 1, windowMs: 60_000, tools: ['*.write'], by: ['tenant', 'tool'] },
        { id: 'all', limit: 3, windowMs: 60_000, by: ['tenant'] },
      ],
      clock,
    );
    await write({}, { token: 'a1' });
    const second = await write.execute({}, { token: 'a2' });
    expect(!second.ok && second.error.reason).toBe('writes');
    // The refused write consumed nothing of 'all': the first write and two reads fill it.
    await read({}, { token: 'a1' });
    await read({}, { token: 'a1' });
    const last = await read.execute({}, { token: 'a1' });
    expect(!last.ok && last.error.reason).toBe('all');
  });

  it('keys cannot be forged with separators in the subject', async () => {
    const store = new MemoryRateLimitStore();
    const guard = createGuard({
      authenticator: tableAuthenticator({
        x: principal({ tenantId: 'T', subject: 'a:t1:b' }),
        y: principal({ tenantId: 'T:p1:a', subject: 'b' }),
      }),
      accessControl: allowAllAccess(),
      rateLimits: [{ id: 'r', limit: 1, windowMs: 60_000 }],
      rateLimitStore: store,
    });
    const tool = guard('t', def, () => 1);
    await tool({}, { token: 'x' });
    await expect(tool({}, { token: 'y' })).resolves.toBe(1);
    expect(store.size).toBe(2);
  });

  it('bounds the in-memory store', () => {
    const store = new MemoryRateLimitStore({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++)
      store.hit(`k${i}`, { algorithm: 'sliding-window', limit: 1, windowMs: 1000 }, 0);
    expect(store.size).toBe(100);
  });

  it('validates rules at construction', () => {
    const bad: RateLimitRule[][] = [
      [{ id: 'x', limit: 0, windowMs: 1000 }],
      [{ id: 'x', limit: 1.5, windowMs: 1000 }],
      [{ id: 'x', limit: 1, windowMs: -1 }],
      [{ id: '', limit: 1, windowMs: 1000 }],
      [
        { id: 'x', limit: 1, windowMs: 1000 },
        { id: 'x', limit: 1, windowMs: 1000 },
      ],
      [{ id: 'x', limit: 1, windowMs: 1000, by: ['ip' as 'tool'] }],
    ];
    for (const rules of bad)
      expect(() => createGuard({ rateLimits: rules })).toThrow(GuardConfigError);
  });
});

describe('rate-limit keys', () => {
  it('are remembered for a frozen principal, rebuilt for one that can change', async () => {
    const frozen = Object.freeze(principal({ subject: 'alice', tenantId: 'A' }));
    const mutable = { ...principal({ subject: 'carol', tenantId: 'A' }) };
    const guard = createGuard({
      authenticator: tableAuthenticator({ f: frozen, m: mutable }),
      accessControl: allowAllAccess(),
      rateLimits: [
        { id: 'per-user', limit: 2, windowMs: 60_000 },
        { id: 'per-tool', limit: 3, windowMs: 60_000, by: ['tenant', 'principal', 'tool'] },
      ],
    });
    const read = guard('crm.read', def, (_args, ctx) => ctx.rateLimit);
    const write = guard('crm.write', def, (_args, ctx) => ctx.rateLimit);
    expect((await read.execute({}, { token: 'f' })).ok).toBe(true);
    expect((await write.execute({}, { token: 'f' })).ok).toBe(true);
    // The frozen principal's per-user limit (2) is shared by both tools.
    const third = await read.execute({}, { token: 'f' });
    expect(third.ok || third.error.reason).toBe('per-user');
    // A principal that is not frozen is keyed by what it says now.
    expect((await read.execute({}, { token: 'm' })).ok).toBe(true);
    expect((await read.execute({}, { token: 'm' })).ok).toBe(true);
    (mutable as { subject: string }).subject = 'dave';
    expect((await read.execute({}, { token: 'm' })).ok).toBe(true);
  });
});
