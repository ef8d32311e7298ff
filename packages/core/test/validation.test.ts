import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DEFAULT_INPUT_LIMITS,
  InvalidInputError,
  allowAllAccess,
  anonymousAuthenticator,
  checkInputLimits,
  createGuard,
  strictSchema,
  type InputLimits,
} from '@agentguard/core';

const limits: InputLimits = {
  maxDepth: 4,
  maxStringLength: 16,
  maxArrayLength: 5,
  maxObjectKeys: 5,
  maxTotalSize: 400,
};

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('checkInputLimits', () => {
  it('accepts values within every limit (property)', () => {
    const small = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.string({ maxLength: 16 }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(
          fc
            .string({ minLength: 1, maxLength: 4 })
            .filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)),
          tie('value'),
          { maxKeys: 3 },
        ),
      ),
    })).value;
    fc.assert(
      fc.property(small, (value) => {
        fc.pre(depthOf(value) <= 4 && JSON.stringify(value).length * 2 < 400);
        expect(checkInputLimits(value, limits)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects any value deeper than the limit, without recursion', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 5000 }), fc.boolean(), (depth, arrays) => {
        let value: unknown = 'leaf';
        for (let i = 0; i < depth; i++) value = arrays ? [value] : { k: value };
        const issues = checkInputLimits(value, { ...limits, maxTotalSize: 1e9 });
        expect(issues.some((i) => i.message === 'nested deeper than 4')).toBe(true);
      }),
      { numRuns: 50 },
    );
    // A million levels must not overflow the stack.
    let deep: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(checkInputLimits(deep, DEFAULT_INPUT_LIMITS)[0]?.message).toBe('nested deeper than 32');
  });

  it('rejects long strings, long arrays, many keys and large totals, naming the path', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 17, maxLength: 200 }), (s) => {
        const issues = checkInputLimits({ a: [s] }, limits);
        expect(issues).toEqual([{ path: '$.a[0]', message: 'string longer than 16' }]);
        expect(JSON.stringify(issues)).not.toContain(s);
      }),
    );
    expect(checkInputLimits({ a: [1, 2, 3, 4, 5, 6] }, limits)).toEqual([
      { path: '$.a', message: 'array longer than 5' },
    ]);
    expect(checkInputLimits({ a: 1, b: 1, c: 1, d: 1, e: 1, f: 1 }, limits)[0]?.message).toBe(
      'more than 5 keys',
    );
    const wide = {
      a: ['x'.repeat(16), 'x'.repeat(16), 'x'.repeat(16), 'x'.repeat(16), 'x'.repeat(16)],
    };
    const total = checkInputLimits({ a: wide, b: wide, c: wide, d: wide }, limits);
    expect(total.at(-1)).toEqual({ path: '$', message: 'larger than 400 bytes' });
  });

  it('rejects prototype keys however they arrive', () => {
    const parsed: unknown = JSON.parse('{"a":{"__proto__":{"admin":true}}}');
    expect(checkInputLimits(parsed, limits)).toEqual([
      { path: '$.a.__proto__', message: 'forbidden key' },
    ]);
    expect(checkInputLimits({ constructor: { prototype: 1 } }, limits)[0]?.message).toBe(
      'forbidden key',
    );
    expect(checkInputLimits({ nested: [{ prototype: 1 }] }, limits)[0]?.path).toBe(
      '$.nested[0].prototype',
    );
  });

  it('rejects non-JSON values and cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(checkInputLimits(cyclic, limits)[0]?.message).toBe('nested deeper than 4');
    expect(checkInputLimits({ f: () => 1 }, limits)[0]?.message).toBe('function is not JSON');
    expect(checkInputLimits({ d: new Date() }, limits)[0]?.message).toBe('not a plain object');
    expect(checkInputLimits({ b: 1n }, limits)[0]?.message).toBe('bigint is not JSON');
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withDate: true, withMap: true, withNullPrototype: true }),
        (value) => {
          expect(Array.isArray(checkInputLimits(value, limits))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('strictSchema', () => {
  it('makes nested objects reject unknown keys, keeping refinements and explicit opt-outs', () => {
    const schema = strictSchema(
      z.object({
        user: z.object({ id: z.string() }).refine((u) => u.id !== 'root', 'root is reserved'),
        items: z.array(z.object({ sku: z.string() })).max(2),
        maybe: z.object({ x: z.number() }).optional(),
        either: z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]),
        map: z.record(z.string(), z.object({ v: z.number() })),
        loose: z.looseObject({ keep: z.string() }),
        withDefault: z.object({ d: z.number() }).default({ d: 1 }),
      }),
    );
    const good = {
      user: { id: 'u1' },
      items: [{ sku: 'a' }],
      either: { a: 'x' },
      map: { k: { v: 1 } },
      loose: { keep: 'y', other: 'kept' },
    };
    expect(schema.parse(good)).toMatchObject({ loose: { other: 'kept' }, withDefault: { d: 1 } });
    const variants: unknown[] = [
      { ...good, extra: 1 },
      { ...good, user: { id: 'u1', admin: true } },
      { ...good, items: [{ sku: 'a', price: 0 }] },
      { ...good, maybe: { x: 1, y: 2 } },
      { ...good, either: { a: 'x', b: 'y', c: 'z' } },
      { ...good, map: { k: { v: 1, w: 2 } } },
      { ...good, withDefault: { d: 2, e: 3 } },
      { ...good, user: { id: 'root' } },
      { ...good, items: [{ sku: 'a' }, { sku: 'b' }, { sku: 'c' }] },
    ];
    for (const v of variants) expect(schema.safeParse(v).success).toBe(false);
  });
});

describe('the validation stage', () => {
  const guard = createGuard({
    authenticator: anonymousAuthenticator(),
    accessControl: allowAllAccess(),
    inputLimits: { maxStringLength: 64 },
  });
  const tool = guard(
    'pay',
    {
      input: z.object({
        to: z.string().min(3),
        amount: z.number().positive(),
        currency: z.enum(['EUR', 'USD']),
      }),
      operation: 'write',
    },
    (args) => args,
  );

  it('lists failing paths without echoing values', async () => {
    const result = await tool.execute({ to: 'ab', amount: -5, currency: 'secret-value-GBP' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(InvalidInputError);
    const payload = JSON.stringify(result.error.toJSON());
    expect(payload).not.toContain('secret-value');
    expect((result.error as InvalidInputError).issues.map((i) => i.path).sort()).toEqual([
      '$.amount',
      '$.currency',
      '$.to',
    ]);
  });

  it('applies limits before the schema', async () => {
    const result = await tool.execute({ to: 'x'.repeat(65), amount: 1, currency: 'EUR' });
    expect(!result.ok && result.error.reason).toBe('limits');
  });

  it('cuts an unknown key name that is huge', async () => {
    const key = 'k'.repeat(60);
    const result = await tool.execute({ to: 'abc', amount: 1, currency: 'EUR', [key]: 1 });
    expect(!result.ok && (result.error as InvalidInputError).issues[0]?.message).toBe(
      `unknown key: ${key}`,
    );
  });

  it('rejects non-object args for object schemas', async () => {
    for (const args of [undefined, null, 'str', 42, [1]]) {
      const result = await tool.execute(args);
      expect(!result.ok && result.error.code).toBe('invalid_input');
    }
  });
});
