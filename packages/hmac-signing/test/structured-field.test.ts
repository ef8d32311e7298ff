import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SfToken,
  StructuredFieldError,
  parseDictionary,
  parseItem,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
  serializeString,
  type SfItem,
} from '../src/index.js';

interface Fixtures {
  validDictionaries: { input: string; canonical: string }[];
  invalidDictionaries: { input: string; reason: string }[];
}
const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/structured-fields.json', import.meta.url), 'utf8'),
) as Fixtures;

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof StructuredFieldError) return error.reason;
    throw error;
  }
}

describe('structured fields (RFC 8941 / 9651)', () => {
  it.each(fixtures.validDictionaries)('parses and re-serialises $input', ({ input, canonical }) => {
    const parsed = parseDictionary(input);
    expect(serializeDictionary(parsed)).toBe(canonical);
    expect(serializeDictionary(parseDictionary(canonical))).toBe(canonical);
  });

  it.each(fixtures.invalidDictionaries)('refuses $input ($reason)', ({ input, reason }) => {
    expect(reasonOf(() => parseDictionary(input))).toBe(reason);
  });

  it('decodes strings, tokens, byte sequences and display strings to their values', () => {
    const dict = parseDictionary('s="a\\"b\\\\c", t=tok, b=:AAEC:, d=%"f%c3%bc"');
    expect((dict.get('s') as SfItem).value).toBe('a"b\\c');
    expect((dict.get('t') as SfItem).value).toEqual(new SfToken('tok'));
    expect([...((dict.get('b') as SfItem).value as Uint8Array)]).toEqual([0, 1, 2]);
    expect((dict.get('d') as SfItem).value).toMatchObject({ value: 'fü' });
  });

  it('bounds the input length, member count, inner-list size and parameter count', () => {
    expect(reasonOf(() => parseDictionary('a=1'.padEnd(9000, ' ')))).toBe('too_large');
    expect(reasonOf(() => parseDictionary('a=1', { maxLength: 2 }))).toBe('too_large');
    const many = Array.from({ length: 17 }, (_, i) => `k${i}=1`).join(', ');
    expect(reasonOf(() => parseDictionary(many))).toBe('too_many_members');
    expect(reasonOf(() => parseDictionary(many, { maxMembers: 17 }))).toBeUndefined();
    const bigList = `a=(${Array.from({ length: 65 }, () => '1').join(' ')})`;
    expect(reasonOf(() => parseDictionary(bigList))).toBe('too_many_members');
    const params = `a=1${Array.from({ length: 17 }, (_, i) => `;p${i}`).join('')}`;
    expect(reasonOf(() => parseDictionary(params))).toBe('too_many_members');
  });

  it('parses a component identifier item with parameters', () => {
    const item = parseItem('"@query-param";name="Pet"');
    expect(item.value).toBe('@query-param');
    expect(item.params.get('name')).toBe('Pet');
    expect(serializeItem(item)).toBe('"@query-param";name="Pet"');
    expect(reasonOf(() => parseItem('"a" x'))).toBe('syntax');
  });

  it('refuses to serialise what has no valid form', () => {
    expect(() => serializeString('é')).toThrow(StructuredFieldError);
    expect(() => serializeString('line\nbreak')).toThrow(StructuredFieldError);
    expect(() =>
      serializeInnerList({ items: [{ value: 1.5, params: new Map() }], params: new Map() }),
    ).toThrow(StructuredFieldError);
    expect(() => serializeDictionary(new Map([['Bad', { value: 1, params: new Map() }]]))).toThrow(
      StructuredFieldError,
    );
  });

  it('never fails with anything but a StructuredFieldError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (input) => {
        try {
          const dict = parseDictionary(input);
          // Whatever parses re-serialises to something that parses to the same thing.
          const again = serializeDictionary(dict);
          expect(serializeDictionary(parseDictionary(again))).toBe(again);
        } catch (error) {
          expect(error).toBeInstanceOf(StructuredFieldError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips generated dictionaries', () => {
    const key = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,8}$/);
    const bare = fc.oneof(
      fc.integer({ min: -1e15 + 1, max: 1e15 - 1 }),
      fc.stringMatching(/^[\x20-\x7e]{0,20}$/),
      fc.boolean(),
      fc.uint8Array({ maxLength: 24 }),
      fc
        .stringMatching(/^[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]{0,10}$/)
        .map((t) => new SfToken(t)),
    );
    const params = fc.uniqueArray(fc.tuple(key, bare), { selector: ([k]) => k, maxLength: 3 });
    const item = fc.record({ value: bare, params: params.map((p) => new Map(p)) });
    const member = fc.oneof(
      item,
      fc.record({
        items: fc.array(item, { maxLength: 4 }),
        params: params.map((p) => new Map(p)),
      }),
    );
    const dict = fc.uniqueArray(fc.tuple(key, member), { selector: ([k]) => k, maxLength: 6 });
    fc.assert(
      fc.property(dict, (entries) => {
        const text = serializeDictionary(new Map(entries));
        expect(serializeDictionary(parseDictionary(text))).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});
