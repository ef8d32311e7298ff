import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMasker } from '../src/index.js';
import { hasDuplicateKeys } from '../src/lib/duplicate-keys.js';

// JSON.parse keeps the last value of a repeated key. A JSON text whose parsed value holds
// nothing to mask may still carry sensitive data under an earlier copy of the key: the masker
// must never pass such a text on as it came.
const masker = createMasker();

describe('JSON texts with a repeated key', () => {
  it.each([
    ['an object hidden under a repeated key', '{"k":{"email":"x@y.com"},"k":1}'],
    ['a string hidden under a repeated key', '{"note":"ada@example.com","note":"ok"}'],
    ['the same key spelled with an escape', '{"note":"ada@example.com","\\u006eote":"ok"}'],
    ['a name under a field rule', '{"k":{"name":"Ada Lovelace"},"k":null}'],
    ['nested, with whitespace', '{ "a": [ { "c": "4111 1111 1111 1111", "c": 0 } ] }'],
    ['pretty-printed', '{\n  "ref": "123-45-6789",\n  "ref": "n/a"\n}'],
  ])('%s: the hidden value is not in the output', (_name, text) => {
    const hidden = /x@y\.com|ada@example\.com|Ada Lovelace|4111|123-45-6789/;
    expect(text).toMatch(hidden);
    for (const input of [text, { result: text }, { content: [{ type: 'text', text }] }]) {
      const out = JSON.stringify(masker.mask(input).value);
      expect(out).not.toMatch(hidden);
    }
    // What is left is what JSON.parse made of the text: a reader sees the same data.
    const out = masker.mask(text).value;
    expect(JSON.parse(out)).toEqual(JSON.parse(text));
  });

  it('leaves a text without repeated keys as it came, whitespace included', () => {
    const text = '{ "a": 1, "b": { "a": 2 }, "c": [ { "a": 3 }, { "a": 4 } ] }';
    expect(masker.mask(text).value).toBe(text);
  });

  it('tells repeated keys from the same key in other objects, values and arrays', () => {
    expect(hasDuplicateKeys('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}')).toBe(false);
    expect(hasDuplicateKeys('{"a":"a","b":["a","a"],"c":"b"}')).toBe(false);
    expect(hasDuplicateKeys('{"a\\"b":1,"a\\"c":2}')).toBe(false);
    expect(hasDuplicateKeys('[{"a":1},{"a":1}]')).toBe(false);
    expect(hasDuplicateKeys('{"a":1,"b":{"c":2,"c":3}}')).toBe(true);
    expect(hasDuplicateKeys('{"a" : 1 , "a" : 2}')).toBe(true);
    expect(hasDuplicateKeys('{"\\u0061":1,"a":2}')).toBe(true);
    expect(hasDuplicateKeys('{"a\\\\":1,"a\\\\":2}')).toBe(true);
    expect(hasDuplicateKeys('[{"a":1},{"b":{"a":1,"a":2}}]')).toBe(true);
  });

  it('never lets an address through, whatever keys repeat and however the text is spaced', () => {
    // Objects written by hand, so keys may repeat; few key names, so they often do.
    type Node =
      { kind: 'email' } | { kind: 'number' } | { kind: 'object'; members: [string, Node][] };
    const { node } = fc.letrec<{ node: Node }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom<Node>({ kind: 'email' }, { kind: 'number' }),
        fc
          .array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd\\u0061', '\\u0061'), tie('node')), {
            maxLength: 4,
          })
          .map((members): Node => ({ kind: 'object', members })),
      ),
    }));
    let n = 0;
    const write = (node: Node, space: string): string => {
      if (node.kind === 'email') return `"user${n++}@example.com"`;
      if (node.kind === 'number') return String(n++);
      const members = node.members.map(([k, v]) => `"${k}"${space}:${space}${write(v, space)}`);
      return `{${space}${members.join(`,${space}`)}${space}}`;
    };
    fc.assert(
      fc.property(node, fc.constantFrom('', ' ', '\n  '), (tree, space) => {
        const text = write({ kind: 'object', members: [['r', tree]] }, space);
        const out = masker.mask(text).value;
        expect(out).not.toContain('@example.com');
        expect(JSON.parse(out)).toBeTypeOf('object');
      }),
      { numRuns: 500 },
    );
  });
});
