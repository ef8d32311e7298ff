import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractToken } from '../src/lib/extract-token.js';

describe('extractToken', () => {
  it('answers with the shortcut for a transport token exactly as without it', () => {
    const piece = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '.', '_', '~', '+', '/', '=') }),
      fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u2028', '\ufeff', '', '%'),
      fc.string(),
    );
    const token = fc.tuple(piece, piece, piece).map((parts) => parts.join(''));
    const scheme = fc.constantFrom(
      'Bearer ',
      'bearer ',
      'BEARER ',
      'Bearer  ',
      ' Bearer ',
      'Basic ',
    );
    const header = fc.oneof(
      fc.tuple(scheme, token, fc.constantFrom('', ' ', '\n')).map(([s, t, tail]) => s + t + tail),
      fc.string(),
      fc.constant(undefined),
      fc.array(fc.string(), { maxLength: 2 }),
    );
    const context = fc
      .record({
        sameToken: fc.boolean(),
        token: fc.option(token, { nil: undefined }),
        header,
        url: fc.option(fc.constantFrom('/x', '/x?access_token=a', '/x?a=b'), { nil: undefined }),
      })
      .map(({ sameToken, token: t, header: h, url }) => {
        // Mostly the adapter's case: the transport token is what follows `Bearer `.
        const fromHeader =
          sameToken && typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : t;
        return {
          token: fromHeader,
          headers: h === undefined ? {} : { authorization: h },
          ...(url === undefined ? {} : { extra: { url } }),
        };
      });
    fc.assert(
      fc.property(context, fc.constantFrom(8, 64, 8192), (ctx, max) => {
        expect(extractToken(ctx, max, false)).toEqual(extractToken(ctx, max, false, false));
        expect(extractToken(ctx, max, true)).toEqual(extractToken(ctx, max, true, false));
      }),
      { numRuns: 5_000 },
    );
    const t = 'eyJhbGciOiJIUzI1NiJ9.e30.sig';
    expect(
      extractToken({ token: t, headers: { authorization: `Bearer ${t}` } }, 8192, false),
    ).toEqual({ ok: true, token: t, source: 'header' });
  });
});
