import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeArgs } from '../src/lib/args.js';
import {
  exhaustedHeaders,
  rateLimitPolicy,
  rateLimitState,
} from '../src/lib/rate-limit-headers.js';

describe('mergeArgs', () => {
  it('merges params, query and body into one plain object', () => {
    const query = Object.assign(Object.create(null) as object, { page: '2' });
    const merged = mergeArgs({ id: 'c-1' }, query, { text: 'x', n: 1 });
    expect(merged).toEqual({ ok: true, args: { id: 'c-1', page: '2', text: 'x', n: 1 } });
    if (merged.ok) expect(Object.getPrototypeOf(merged.args)).toBe(Object.prototype);
  });

  it('skips absent sources and gives an empty object for none', () => {
    expect(mergeArgs(undefined, null, undefined)).toEqual({ ok: true, args: {} });
    expect(mergeArgs({}, {}, undefined)).toEqual({ ok: true, args: {} });
  });

  it('refuses an own __proto__ key from JSON without touching any prototype', () => {
    const body = JSON.parse('{"text":"x","__proto__":{"admin":true}}') as unknown;
    const merged = mergeArgs({}, {}, body);
    expect(merged).toEqual({
      ok: false,
      issues: [{ path: '$.__proto__', message: 'reserved key' }],
    });
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('refuses constructor and prototype keys from any source', () => {
    const query = Object.assign(Object.create(null) as object, { constructor: 'x' });
    const merged = mergeArgs({ prototype: 'p' }, query, undefined);
    expect(merged.ok).toBe(false);
    if (!merged.ok)
      expect(merged.issues.map((i) => i.path)).toEqual(['$.prototype', '$.constructor']);
  });

  it('reports every key given twice, never overwriting', () => {
    const merged = mergeArgs({ id: 'a' }, { id: 'b', q: '1' }, { id: 'c', q: 2 });
    expect(merged.ok).toBe(false);
    if (!merged.ok) expect(merged.issues.map((i) => i.path)).toEqual(['$.id', '$.id', '$.q']);
  });

  it('refuses sources that are not objects', () => {
    const merged = mergeArgs({}, 'a=1', [1, 2]);
    expect(merged).toEqual({
      ok: false,
      issues: [
        { path: '$', message: 'query must be an object' },
        { path: '$', message: 'body must be an object' },
      ],
    });
  });

  it('equals an overwrite-free merge on disjoint keys, and counts every overlap', () => {
    const key = fc
      .string({ minLength: 1, maxLength: 6 })
      .filter((k) => k !== '__proto__' && k !== 'constructor' && k !== 'prototype');
    const source = fc.dictionary(key, fc.jsonValue(), { maxKeys: 6 });
    fc.assert(
      fc.property(source, source, source, (params, query, body) => {
        const merged = mergeArgs(params, query, body);
        const seen = new Set<string>();
        let overlaps = 0;
        const expected: Record<string, unknown> = {};
        for (const record of [params, query, body]) {
          for (const [k, v] of Object.entries(record)) {
            if (seen.has(k)) overlaps += 1;
            else expected[k] = v;
            seen.add(k);
          }
        }
        if (overlaps === 0) expect(merged).toEqual({ ok: true, args: expected });
        else expect(merged.ok ? 0 : merged.issues.length).toBe(overlaps);
      }),
    );
  });
});

describe('rate-limit header values', () => {
  const info = {
    rule: 'per-agent',
    limit: 100,
    remaining: 7,
    resetSeconds: 12.2,
    windowSeconds: 60,
  };

  it('names the rule as a structured-field string', () => {
    expect(rateLimitPolicy(info)).toBe('"per-agent";q=100;w=60');
    expect(rateLimitState(info)).toBe('"per-agent";r=7;t=13');
    expect(rateLimitState({ ...info, remaining: -1, resetSeconds: -3 })).toBe(
      '"per-agent";r=0;t=0',
    );
  });

  it('writes the RateLimit value of every call from its parts, whatever came before', () => {
    const value = fc.record({
      rule: fc.constantFrom('a', 'per-agent', 'q"uote'),
      limit: fc.integer({ min: 1, max: 1_000 }),
      remaining: fc.oneof(fc.integer({ min: -5, max: 1_000_000_000 }), fc.double()),
      resetSeconds: fc.oneof(fc.constantFrom(0, -0, 0.5, 59.9, 60), fc.double()),
      windowSeconds: fc.integer({ min: 1, max: 3_600 }),
    });
    fc.assert(
      fc.property(fc.array(value, { maxLength: 20 }), (infos) => {
        for (const i of infos) {
          const id = rateLimitPolicy(i).split(';q=')[0];
          expect(rateLimitState(i)).toBe(
            `${id};r=${Math.max(0, i.remaining)};t=${Math.max(0, Math.ceil(i.resetSeconds))}`,
          );
        }
      }),
    );
  });

  it('escapes quotes and backslashes and drops other characters, the same on every call', () => {
    const hostile = { ...info, rule: 'a"b\\c\r\nd\u00e9' };
    const first = rateLimitPolicy(hostile);
    expect(first).toBe('"a\\"b\\\\cd";q=100;w=60');
    expect(rateLimitPolicy(hostile)).toBe(first);
    expect(exhaustedHeaders(hostile.rule, 100, 60, 1.5)).toEqual({
      'Retry-After': '2',
      'RateLimit-Policy': '"a\\"b\\\\cd";q=100;w=60',
      RateLimit: '"a\\"b\\\\cd";r=0;t=2',
    });
  });

  it('stays correct past the bound of its cache of quoted rule ids', () => {
    for (let i = 0; i < 2_500; i += 1) {
      expect(rateLimitPolicy({ ...info, rule: `rule-${i}` })).toBe(`"rule-${i}";q=100;w=60`);
    }
    expect(rateLimitPolicy(info)).toBe('"per-agent";q=100;w=60');
  });
});
