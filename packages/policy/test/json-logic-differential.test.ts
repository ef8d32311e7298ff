import { isDeepStrictEqual } from 'node:util';
import jsonLogic from 'json-logic-js';
import { describe, expect, it } from 'vitest';
import { compileJsonLogic } from '../src/index.js';
import { generator } from './helpers/random-rules.js';

type Result = { ok: true; value: unknown } | { ok: false };

function run(fn: () => unknown): Result {
  try {
    return { ok: true, value: fn() };
  } catch {
    return { ok: false };
  }
}

describe('differential: compiled rules vs json-logic-js apply', () => {
  it.each([1, 2, 3, 4, 5])('agrees on 1,000 random rules x 3 data (seed %i)', (seed) => {
    const gen = generator(seed);
    const mismatches: string[] = [];
    let compared = 0;
    let values = 0;
    for (let i = 0; i < 1000; i += 1) {
      const rule = gen.rule();
      const compiled = compileJsonLogic(rule);
      for (let j = 0; j < 3; j += 1) {
        const data = gen.data();
        const expected = run(() => jsonLogic.apply(rule as never, data));
        const actual = run(() => compiled(data));
        compared += 1;
        if (expected.ok) values += 1;
        const same =
          expected.ok === actual.ok &&
          (!expected.ok || (actual.ok && isDeepStrictEqual(actual.value, expected.value)));
        if (!same && mismatches.length < 5) {
          mismatches.push(JSON.stringify({ rule, data, expected, actual }));
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBe(3000);
    // Most generated cases produce a value (not an error on both sides).
    expect(values).toBeGreaterThan(2500);
  });
});
