import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCanonical } from '../src/lib/json-string.js';

// The JSON text pass decodes escaped strings by hand; it must agree exactly with JSON.parse
// followed by the check that JSON.stringify writes the same text back.

function codesOf(s: string): Uint16Array {
  const codes = new Uint16Array(s.length + 4);
  for (let i = 0; i < s.length; i++) codes[i] = s.charCodeAt(i);
  return codes;
}

/** The oracle: the decoded string when the quoted text is canonical, else undefined. */
function oracle(inner: string): string | undefined {
  const token = `"${inner}"`;
  let value: unknown;
  try {
    value = JSON.parse(token);
  } catch {
    return undefined;
  }
  return typeof value === 'string' && JSON.stringify(value) === token ? value : undefined;
}

function decode(inner: string): string | undefined {
  return decodeCanonical(inner, codesOf(inner), 0, inner.length);
}

/** Pieces of JSON string text, canonical or not, including every escape form. */
const piece = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom(
    '\\"',
    '\\\\',
    '\\/',
    '\\b',
    '\\f',
    '\\n',
    '\\r',
    '\\t',
    '\\u0000',
    '\\u001f',
    '\\u001F',
    '\\u000a',
    '\\u0020',
    '\\u0041',
    '\\ud83d',
    '\\ude00',
    '\\uD83D',
    '\\udfff',
    '\\udbff',
    '\\u12',
    '\\x41',
    '\\',
    '\ud83d',
    '\ude00',
    '\ud83d\ude00',
    '"',
    '\n',
    'é',
    'a',
  ),
);

describe('decodeCanonical', () => {
  it('gives back every string from its JSON.stringify text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        const inner = JSON.stringify(s).slice(1, -1);
        expect(decode(inner)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with JSON.parse and the JSON.stringify check on any mix of escapes', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const inner = parts.join('');
        // The pass hands it only texts that end at an unescaped quote.
        fc.pre(!/(^|[^\\])(\\\\)*\\$/.test(inner));
        expect(decode(inner)).toBe(oracle(inner));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses non-canonical forms and lone surrogates', () => {
    for (const inner of [
      '\\/',
      '\\u0041',
      '\\u000a',
      '\\u001F',
      '\\uD83D',
      '\\ud83d\\ude00',
      '\\ud83d\ude00',
      '\ud83d',
      '\ude00',
      'a\u0001',
      '\\x',
      '\\u12',
      '\\u12g4',
    ]) {
      expect(decode(inner), inner).toBeUndefined();
      expect(oracle(inner), inner).toBeUndefined();
    }
    expect(decode('\\ud83d')).toBe('\ud83d');
    expect(decode('\\ude00x')).toBe('\ude00x');
    expect(decode('a\\nb\\"c\\u0001')).toBe('a\nb"c\u0001');
  });
});
