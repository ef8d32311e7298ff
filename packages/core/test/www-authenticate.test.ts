import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ForbiddenError,
  StepUpRequiredError,
  UnauthenticatedError,
  bearerChallenge,
  challengeFor,
} from '@agentguard/core';

describe('bearerChallenge', () => {
  it('formats RFC 6750 / RFC 9470 parameters in a fixed order', () => {
    expect(bearerChallenge()).toBe('Bearer');
    expect(
      bearerChallenge({
        realm: 'mcp',
        resourceMetadata: 'https://x.test/.well-known/oauth-protected-resource',
        error: 'insufficient_user_authentication',
        errorDescription: 'stronger authentication required',
        acrValues: ['urn:mfa', 'phr'],
        maxAge: 300.9,
        scope: ['payments:write'],
      }),
    ).toBe(
      'Bearer realm="mcp", resource_metadata="https://x.test/.well-known/oauth-protected-resource", ' +
        'error="insufficient_user_authentication", error_description="stronger authentication required", ' +
        'acr_values="urn:mfa phr", max_age=300, scope="payments:write"',
    );
  });

  it('no value can break out of its quoted string or the header (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string()), (text, list) => {
        const header = bearerChallenge({
          realm: text,
          errorDescription: text,
          scope: list,
          acrValues: list,
        });
        expect(/[\r\n]/.test(header) || header.includes(String.fromCharCode(0))).toBe(false);
        // Every quote belongs to a param="…" pair: strip the pairs, nothing quoted is left.
        const rest = header.replace(/\w+="[^"\\]*"/g, '');
        expect(rest).not.toContain('"');
      }),
      { numRuns: 500 },
    );
  });
});

describe('challengeFor', () => {
  it('uses the authenticator challenge, or builds one', () => {
    const own = new UnauthenticatedError('expired', {
      wwwAuthenticate: 'Bearer error="invalid_token"',
    });
    expect(challengeFor(own)).toEqual({
      status: 401,
      wwwAuthenticate: 'Bearer error="invalid_token"',
    });
    expect(
      challengeFor(new UnauthenticatedError(), { realm: 'mcp', resourceMetadataUrl: 'https://m' }),
    ).toEqual({
      status: 401,
      wwwAuthenticate: 'Bearer realm="mcp", resource_metadata="https://m"',
    });
    expect(
      challengeFor(new UnauthenticatedError('bad token'), { tokenPresented: true })
        ?.wwwAuthenticate,
    ).toBe('Bearer error="invalid_token", error_description="bad token"');
  });

  it('answers step-up with 401 (authentication) or 403 (scopes only)', () => {
    const auth = new StepUpRequiredError({ acrValues: ['mfa'], maxAge: 300, scopes: ['a'] });
    expect(auth.status).toBe(401);
    expect(challengeFor(auth)).toEqual({
      status: 401,
      wwwAuthenticate:
        'Bearer error="insufficient_user_authentication", error_description="stronger authentication required", acr_values="mfa", max_age=300, scope="a"',
    });
    const scopes = new StepUpRequiredError({ scopes: ['payments:write', 'crm:read'] });
    expect(scopes.status).toBe(403);
    expect(challengeFor(scopes)).toEqual({
      status: 403,
      wwwAuthenticate:
        'Bearer error="insufficient_scope", error_description="more scopes required", scope="payments:write crm:read"',
    });
    expect(challengeFor(new ForbiddenError())).toBeUndefined();
  });
});
