import { describe, expectTypeOf, it } from 'vitest';
import type { Authenticator } from '@agentguard/core';
import {
  extractBearerToken,
  jwtAuth,
  type BearerTokenExtraction,
  type ClaimPresetName,
  type JwtAlgorithm,
  type JwtAuthReason,
} from '../src/index.js';

describe('jwt-auth public types', () => {
  it('jwtAuth is a core Authenticator', () => {
    expectTypeOf(jwtAuth).returns.toEqualTypeOf<Authenticator>();
  });

  it('the algorithm allow-list cannot name `none`', () => {
    expectTypeOf<'none'>().not.toExtend<JwtAlgorithm>();
    expectTypeOf<'RS256' | 'ES256' | 'EdDSA' | 'HS256'>().toExtend<JwtAlgorithm>();
    // @ts-expect-error `none` is not an algorithm the options accept
    jwtAuth({ issuer: 'https://id.example.com/', audience: 'api', algorithms: ['none'] });
  });

  it('every failure reason the issue lists is a reason', () => {
    expectTypeOf<
      | 'missing'
      | 'malformed'
      | 'bad_signature'
      | 'alg_not_allowed'
      | 'expired'
      | 'not_yet_valid'
      | 'issuer_mismatch'
      | 'audience_mismatch'
      | 'unknown_kid'
      | 'revoked'
      | 'too_large'
    >().toExtend<JwtAuthReason>();
  });

  it('presets are named, and extraction results are discriminated', () => {
    expectTypeOf<
      'auth0' | 'okta' | 'keycloak' | 'entra' | 'frontegg'
    >().toExtend<ClaimPresetName>();
    expectTypeOf(extractBearerToken).returns.toEqualTypeOf<BearerTokenExtraction>();
    const found = extractBearerToken({ headers: { authorization: 'Bearer x' } });
    if (found.ok) expectTypeOf(found.token).toEqualTypeOf<string>();
    else expectTypeOf(found).not.toHaveProperty('token');
  });
});
