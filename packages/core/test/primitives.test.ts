import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  ApprovalRequiredError,
  ForbiddenError,
  type GuardError,
  HookFailedError,
  InvalidInputError,
  MemoryKeyValueStore,
  RateLimitedError,
  StepUpRequiredError,
  UnauthenticatedError,
  canonicalJson,
  compileToolPattern,
  compileToolPatterns,
  createDecisionId,
  createMetricsRecorder,
  digestArgs,
  isDecisionId,
  isGuardError,
  readTraceparent,
} from '@agentguard/core';

describe('errors', () => {
  it('every subclass uses the status of its code in the table', () => {
    const errors: GuardError[] = [
      new UnauthenticatedError(),
      new ForbiddenError(),
      new InvalidInputError([]),
      new RateLimitedError(3, 10, 60),
      new StepUpRequiredError({ acrValues: ['mfa'] }),
      new ApprovalRequiredError('a1'),
    ];
    for (const e of errors) {
      expect(e.status).toBe(ERROR_CODES[e.code].status);
      expect(e.jsonRpcCode).toBe(ERROR_CODES[e.code].jsonRpc);
      expect(e.name).toBe(e.constructor.name);
      expect(isGuardError(e)).toBe(true);
      expect((e.constructor as typeof GuardError).code).toBe(e.code);
    }
    expect(new HookFailedError('h', 'rejected').status).toBe(403);
    expect(new HookFailedError('h', 'timeout').status).toBe(503);
  });

  it('JSON-RPC codes are unique', () => {
    const codes = Object.values(ERROR_CODES).map((c) => c.jsonRpc);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('serialises only what the caller may see', () => {
    const error = new ForbiddenError('nope', {
      cause: new Error('secret internals'),
      reason: 'r',
      decisionId: 'd',
    });
    expect(error.toJSON()).toEqual({
      code: 'forbidden',
      message: 'nope',
      status: 403,
      reason: 'r',
      decisionId: 'd',
    });
    expect(JSON.stringify(error)).not.toContain('secret');
  });

  it('recognises errors from another copy of the package, and nothing else', () => {
    const foreign = Object.assign(new Error('x'), { code: 'forbidden', status: 403 });
    expect(isGuardError(foreign)).toBe(true);
    expect(isGuardError(Object.assign(new Error('x'), { code: 'ENOENT', status: 1 }))).toBe(false);
    expect(isGuardError({ code: 'forbidden', status: 403 })).toBe(false);
    expect(isGuardError(null)).toBe(false);
  });
});

describe('decision ids', () => {
  it('are UUIDv7 and sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => createDecisionId(1_700_000_000_000));
    for (const id of ids.slice(0, 100)) expect(isDecisionId(id)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const later = createDecisionId(Date.now());
    expect(later > ids.at(-1)!).toBe(true);
    expect(isDecisionId('not-a-uuid')).toBe(false);
  });
});

describe('traceparent', () => {
  it('inherits a valid trace and starts a new one otherwise', () => {
    expect(readTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      inherited: true,
    });
    for (const bad of [
      undefined,
      '',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
      'x'.repeat(10_000),
    ]) {
      const t = readTraceparent(bad);
      expect(t.inherited).toBe(false);
      expect(t.traceId).toMatch(/^[0-9a-f]{32}$/);
    }
    // Later versions may carry more fields.
    expect(
      readTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future').inherited,
    ).toBe(true);
  });
});

describe('canonical JSON', () => {
  it('is independent of key order and matches JSON.parse round trips (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: undefined } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"z":1}}',
    );
    expect(digestArgs({ a: 1, b: 2 })).toBe(digestArgs({ b: 2, a: 1 }));
    expect(digestArgs({ a: 1 })).not.toBe(digestArgs({ a: 2 }));
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
  });
});

describe('tool patterns', () => {
  it('matches exact names and globs, and stays linear on hostile patterns', () => {
    expect(compileToolPattern('payments.*')('payments.transfer')).toBe(true);
    expect(compileToolPattern('payments.*')('paymentsXtransfer')).toBe(false);
    expect(compileToolPattern('*.delete')('crm.customer.delete')).toBe(true);
    expect(compileToolPattern('crm.read')('crm.read')).toBe(true);
    expect(compileToolPattern('crm.read')('crm.reader')).toBe(false);
    expect(compileToolPattern('a(b)+')('a(b)+')).toBe(true);
    expect(compileToolPatterns(['x', 'y.*'])('y.z')).toBe(true);
    expect(compileToolPatterns([])('anything')).toBe(false);
    expect(compileToolPattern('a' + '*'.repeat(10_000) + 'b')('a' + 'c'.repeat(100) + 'b')).toBe(
      true,
    );
  });
});

describe('MemoryKeyValueStore', () => {
  it('sets with TTL, increments atomically, compares and sets', () => {
    let now = 1000;
    const store = new MemoryKeyValueStore({ now: () => now });
    store.set('a', '1', 100);
    expect(store.get('a')).toBe('1');
    now += 101;
    expect(store.get('a')).toBeUndefined();
    expect(store.increment('n')).toBe(1);
    expect(store.increment('n', 5)).toBe(6);
    expect(store.compareAndSet('lock', undefined, 'me', 1000)).toBe(true);
    expect(store.compareAndSet('lock', undefined, 'you')).toBe(false);
    expect(store.compareAndSet('lock', 'me', undefined)).toBe(true);
    expect(store.get('lock')).toBeUndefined();
    store.set('s', 'text');
    expect(() => store.increment('s')).toThrow(TypeError);
    expect(store.delete('n')).toBe(true);
  });

  it('is bounded', () => {
    const store = new MemoryKeyValueStore({ maxKeys: 10 });
    for (let i = 0; i < 100; i++) store.set(`k${i}`, 'v');
    expect(store.size).toBe(10);
    expect(() => new MemoryKeyValueStore({ maxKeys: 0 })).toThrow();
  });
});

describe('metrics recorder', () => {
  it('counts decisions and sums stage latencies', () => {
    const m = createMetricsRecorder();
    m.listener({
      type: 'decision',
      tool: 'a',
      outcome: 'allowed',
      latencyMs: 1,
      timings: { authenticate: 0.5 },
    });
    m.listener({
      type: 'decision',
      tool: 'a',
      outcome: 'rejected',
      code: 'forbidden',
      latencyMs: 1,
      timings: { authenticate: 1.5 },
    });
    m.listener({ type: 'warning', source: 'rbac', message: 'uncovered' });
    const s = m.snapshot();
    expect(s.decisions).toEqual({
      total: 2,
      byOutcome: { allowed: 1, rejected: 1 },
      byCode: { forbidden: 1 },
      byTool: { a: 2 },
    });
    expect(s.stages['authenticate']).toEqual({ count: 2, totalMs: 2, maxMs: 1.5 });
    expect(s.warnings).toEqual(['rbac: uncovered']);
  });
});
