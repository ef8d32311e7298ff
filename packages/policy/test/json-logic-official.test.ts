import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonLogic from 'json-logic-js';
import { describe, expect, it } from 'vitest';
import { compileJsonLogic } from '../src/index.js';

type Case = [rule: unknown, data: unknown, expected: unknown];

const suite = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'json-logic-tests.json'), 'utf8'),
) as unknown[];
const cases = suite.filter((entry): entry is Case => Array.isArray(entry));

describe('official json-logic test suite', () => {
  it('holds the whole suite', () => {
    expect(cases.length).toBe(267);
  });

  it.each(cases.map((c, i) => [i, JSON.stringify(c[0]), c] as const))(
    'case %i: %s',
    (_i, _label, [rule, data, expected]) => {
      const compiled = compileJsonLogic(rule);
      expect(compiled(data)).toStrictEqual(expected);
      expect(compiled(data)).toStrictEqual(jsonLogic.apply(rule as never, data));
    },
  );
});
