import { describe, expect, it } from 'vitest';
import { bearerChallenge } from '@agentguard/core';
import { extractBearerToken, JWT_AUTH_REASONS } from '../src/index.js';

const T = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('extractBearerToken', () => {
  it.each([
    [{ headers: { authorization: `Bearer ${T}` } }, { ok: true, token: T, source: 'header' }],
    [{ headers: { authorization: `bearer ${T}` } }, { ok: true, token: T, source: 'header' }],
    [{ headers: { authorization: `BEARER   ${T}` } }, { ok: true, token: T, source: 'header' }],
    [{ headers: { authorization: [`Bearer ${T}`] } }, { ok: true, token: T, source: 'header' }],
    [{ token: T }, { ok: true, token: T, source: 'transport' }],
    [
      { token: T, headers: { authorization: `Bearer ${T}` } },
      { ok: true, token: T, source: 'header' },
    ],
    [
      { token: T, headers: { authorization: 'Basic dXNlcjpwYXNz' } },
      { ok: true, token: T, source: 'transport' },
    ],
    [{}, { ok: false, reason: 'missing' }],
    [{ headers: {} }, { ok: false, reason: 'missing' }],
    [{ headers: { authorization: 'Basic dXNlcjpwYXNz' } }, { ok: false, reason: 'missing' }],
    [{ headers: { authorization: 'Bearer' } }, { ok: false, reason: 'invalid_request' }],
    [{ headers: { authorization: `Bearer ${T} extra` } }, { ok: false, reason: 'invalid_request' }],
    [
      { headers: { authorization: `Bearer ${T},Bearer ${T}` } },
      { ok: false, reason: 'invalid_request' },
    ],
    [{ headers: { authorization: 'Bearer "quoted"' } }, { ok: false, reason: 'invalid_request' }],
    [{ headers: { authorization: `Bearer\t${T}` } }, { ok: false, reason: 'missing' }],
    [{ headers: { authorization: [] } }, { ok: false, reason: 'missing' }],
    [{ token: 'a b' }, { ok: false, reason: 'malformed' }],
    [{ token: 42 }, { ok: false, reason: 'malformed' }],
    [{ extra: { url: `/x?a=1&ACCESS_TOKEN=${T}` } }, { ok: false, reason: 'token_in_query' }],
  ])('%j', (context, expected) => {
    expect(extractBearerToken(context as never)).toEqual(expected);
  });

  it('leaves no trace of the token in the legacy RegExp statics', () => {
    // V8 keeps the subject of the last successful match in RegExp.input / RegExp.lastMatch:
    // a heap dump would find the token (or the URL holding it) there until another regular
    // expression matched. Each is read right after the call, before anything else matches.
    const legacy = RegExp as unknown as { readonly input: string; readonly lastMatch: string };
    for (const [context, expected] of [
      [{ extra: { url: `/x?a=1&access_token=${T}` } }, { ok: false, reason: 'token_in_query' }],
      [{ headers: { authorization: `Bearer ${T}` } }, { ok: true, token: T, source: 'header' }],
      [{ token: T }, { ok: true, token: T, source: 'transport' }],
    ] as const) {
      const found = extractBearerToken(context);
      const { input, lastMatch } = legacy;
      expect(found).toEqual(expected);
      expect(input).not.toContain(T);
      expect(lastMatch).not.toContain(T);
      expect(lastMatch).not.toContain('access_token');
    }
  });

  it('refuses oversized input before scanning it', () => {
    const big = 'a'.repeat(10_000);
    expect(extractBearerToken({ headers: { authorization: `Bearer ${big}` } })).toEqual({
      ok: false,
      reason: 'too_large',
    });
    expect(extractBearerToken({ token: big })).toEqual({ ok: false, reason: 'too_large' });
    expect(extractBearerToken({ token: big }, { maxTokenBytes: 20_000 }).ok).toBe(true);
  });
});

describe('bearerChallenge (core), as jwtAuth uses it', () => {
  it('builds RFC 6750 values', () => {
    expect(bearerChallenge()).toBe('Bearer');
    expect(bearerChallenge({ realm: 'api' })).toBe('Bearer realm="api"');
    expect(
      bearerChallenge({
        realm: 'api',
        scope: ['tools.read', 'tools.write'],
        error: 'insufficient_scope',
        errorDescription: 'more scope needed',
        errorUri: 'https://docs.example.com/e',
        resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource',
      }),
    ).toBe(
      'Bearer realm="api", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource", error="insufficient_scope", error_description="more scope needed", error_uri="https://docs.example.com/e", scope="tools.read tools.write"',
    );
  });

  it('cannot be broken out of by hostile values', () => {
    const value = bearerChallenge({
      realm: 'a"b\\c\r\nSet-Cookie: x=1',
      errorDescription: 'é"',
      scope: 'a" b',
    });
    expect(value).toBe('Bearer realm="abcSet-Cookie: x=1", error_description="", scope="a b"');
    expect(value).not.toMatch(/[\r\n]/);
  });

  it('every reason has a short, lowercase message', () => {
    for (const entry of Object.values(JWT_AUTH_REASONS)) {
      expect(entry.message).toMatch(/^[a-z0-9 ]+$/);
    }
  });
});
