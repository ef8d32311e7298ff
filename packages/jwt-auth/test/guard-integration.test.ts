import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  allowAllAccess,
  createGuard,
  memoryAuditSink,
  UnauthenticatedError,
} from '@agentguard/core';
import { jwtAuth } from '@agentguard/jwt-auth';
import { AUDIENCE, ISSUER, baseClaims, bearer, makeKey, signToken } from './helpers.js';

describe('jwtAuth inside createGuard', () => {
  it('authenticates calls and audits rejections with a reason and without the token', async () => {
    const key = await makeKey('RS256', 'g');
    const sink = memoryAuditSink();
    const nowSec = Math.floor(Date.now() / 1000);
    const guard = createGuard({
      authenticator: jwtAuth({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['RS256'],
        jwks: { keys: [key.jwk] },
      }),
      accessControl: allowAllAccess(),
      audit: { sinks: [sink] },
    });
    const echo = guard(
      'demo.echo',
      { input: z.object({ text: z.string() }), operation: 'read' },
      ({ text }, { principal }) => ({
        text,
        who: principal.subject,
        tenant: principal.tenantId,
      }),
    );

    const good = await signToken(
      key,
      baseClaims({ iat: nowSec, exp: nowSec + 300, act: { sub: 'agent-1' } }),
    );
    await expect(echo({ text: 'hi' }, bearer(good))).resolves.toEqual({
      text: 'hi',
      who: 'user-1',
      tenant: 'acme',
    });

    const expired = await signToken(key, baseClaims({ iat: nowSec - 600, exp: nowSec - 300 }));
    const rejected = await echo.execute({ text: 'hi' }, bearer(expired));
    expect(rejected.ok).toBe(false);
    if (!rejected.ok) {
      expect(rejected.error).toBeInstanceOf(UnauthenticatedError);
      expect(rejected.error.reason).toBe('expired');
      expect(rejected.error.status).toBe(401);
      expect((rejected.error as UnauthenticatedError).wwwAuthenticate).toContain(
        'error="invalid_token"',
      );
    }
    await echo.execute({ text: 'hi' }, {});
    await guard.flush();

    const events = sink.events;
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      outcome: 'allowed',
      subject: 'user-1',
      tenantId: 'acme',
      authenticatedBy: 'jwt',
      agent: { id: 'agent-1' },
      actor: { subject: 'agent-1' },
      tokenId: 'jti-1',
    });
    expect(events[1]).toMatchObject({
      code: 'unauthenticated',
      reason: 'expired',
      stage: 'authenticate',
    });
    expect(events[2]).toMatchObject({ code: 'unauthenticated', reason: 'missing' });
    const serialized = JSON.stringify(events);
    for (const token of [good, expired]) {
      for (const part of token.split('.')) expect(serialized).not.toContain(part);
    }
    await guard.close();
  });
});
