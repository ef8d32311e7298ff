import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerToken } from '../src/index.js';

// The bearer token of an Authorization header, as the Express and MCP adapters read it.
// V8 keeps the subject of the last successful match in the legacy RegExp statics
// (RegExp.input, RegExp.lastMatch, RegExp.$1): a heap dump would show the token there until
// some other regular expression matched.
const legacy = RegExp as unknown as { readonly input: string; readonly lastMatch: string };

describe('the bearer token', () => {
  const GRAMMAR = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

  it('is what the RFC 6750 grammar captures, for any header', () => {
    const unit = fc.constantFrom(...'BbEeAaRr Tt0-._~+/=\t,"ſK\u212a\u00e9'.split(''));
    const header = fc.oneof(
      fc.string({ unit }),
      fc
        .tuple(
          fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Bearer ', 'Basic'),
          fc.string({ unit }),
        )
        .map(([scheme, rest]) => `${scheme} ${rest}`),
    );
    fc.assert(
      fc.property(header, (h) => {
        expect(bearerToken(h)).toBe(GRAMMAR.exec(h)?.[1]);
      }),
      { numRuns: 5_000 },
    );
    expect(bearerToken('Bearer  abc.def==  ')).toBe('abc.def==');
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('bEaReR x')).toBe('x');
    expect(bearerToken('Bearer\tx')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken('Bearer ==')).toBeUndefined();
  });

  it('refuses what is not a string, and headers over 16,384 characters', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken(null)).toBeUndefined();
    expect(bearerToken(`Bearer ${'a'.repeat(16_377)}`)).toBe('a'.repeat(16_377));
    expect(bearerToken(`Bearer ${'a'.repeat(16_378)}`)).toBeUndefined();
  });

  it('leaves no trace of the header in the legacy RegExp statics', () => {
    expect(bearerToken('Bearer secret-token-value')).toBe('secret-token-value');
    expect(legacy.input).not.toContain('secret-token-value');
    expect(legacy.lastMatch).not.toContain('secret-token-value');
  });
});
