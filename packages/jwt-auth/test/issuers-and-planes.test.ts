import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal, StageResult } from '@agentguard/core';
import { jwtAuth } from '../src/index.js';
import { NOW, baseClaims, bearer, makeKey, signToken, type TestKey } from './helpers.js';

const now = (): number => NOW * 1000;
let a: TestKey;
let b: TestKey;

beforeAll(async () => {
  [a, b] = await Promise.all([makeKey('RS256', 'a'), makeKey('RS256', 'b')]);
});

function reasonOf(result: StageResult<Principal>): string | undefined {
  return result.ok ? undefined : result.error.reason;
}

describe('several issuers', () => {
  function multi() {
    return jwtAuth({
      audience: 'api',
      algorithms: ['RS256'],
      issuers: [
        {
          issuer: 'https://login.example.com/tenant-a/v2.0',
          jwks: { keys: [a.jwk] },
          tenantId: 'tenant-a',
        },
        {
          issuer: 'https://login.example.com/tenant-b/v2.0',
          jwks: { keys: [b.jwk] },
          tenantId: 'tenant-b',
        },
      ],
      now,
    });
  }

  it('picks the issuer by iss and verifies strictly against it', async () => {
    const auth = multi();
    const tokenA = await signToken(
      a,
      baseClaims({
        iss: 'https://login.example.com/tenant-a/v2.0',
        aud: 'api',
        tenant_id: undefined,
      }),
    );
    const result = await auth.authenticate(bearer(tokenA));
    expect(result.ok && result.value.tenantId).toBe('tenant-a');
    // Tenant B's key cannot sign for tenant A's issuer.
    const forged = await signToken(
      { ...b, kid: 'a' },
      baseClaims({
        iss: 'https://login.example.com/tenant-a/v2.0',
        aud: 'api',
        tenant_id: undefined,
      }),
    );
    expect(reasonOf(await auth.authenticate(bearer(forged)))).toBe('bad_signature');
    const crossKid = await signToken(
      b,
      baseClaims({
        iss: 'https://login.example.com/tenant-a/v2.0',
        aud: 'api',
        tenant_id: undefined,
      }),
    );
    expect(reasonOf(await auth.authenticate(bearer(crossKid)))).toBe('unknown_kid');
  });

  it('refuses a tenant claim that contradicts the issuer binding', async () => {
    const token = await signToken(
      a,
      baseClaims({
        iss: 'https://login.example.com/tenant-a/v2.0',
        aud: 'api',
        tenant_id: 'tenant-b',
      }),
    );
    expect(reasonOf(await multi().authenticate(bearer(token)))).toBe('tenant_mismatch');
  });

  it('refuses an unlisted issuer', async () => {
    const token = await signToken(
      a,
      baseClaims({ iss: 'https://login.example.com/tenant-c/v2.0', aud: 'api' }),
    );
    expect(reasonOf(await multi().authenticate(bearer(token)))).toBe('issuer_mismatch');
  });
});

describe('two identity planes', () => {
  // The same IdP and keys; the approvers' plane is a second jwtAuth with its own audience.
  function planes() {
    const common = {
      issuer: 'https://id.example.com/',
      algorithms: ['RS256' as const],
      jwks: { keys: [a.jwk] },
      now,
    };
    return {
      agents: jwtAuth({ ...common, name: 'agents', audience: 'agentguard:tools' }),
      approvers: jwtAuth({
        ...common,
        name: 'approvers',
        audience: 'agentguard:approvals',
        typ: 'at+jwt',
      }),
    };
  }

  it('a token valid on one plane is rejected on the other', async () => {
    const { agents, approvers } = planes();
    const agentToken = await signToken(a, baseClaims({ aud: 'agentguard:tools' }));
    const approverToken = await signToken(a, baseClaims({ aud: 'agentguard:approvals' }), {
      typ: 'at+jwt',
    });

    const onAgents = await agents.authenticate(bearer(agentToken));
    expect(onAgents.ok && onAgents.value.authenticatedBy).toBe('agents');
    expect(reasonOf(await approvers.authenticate(bearer(agentToken)))).toBe('type_mismatch');

    const onApprovers = await approvers.authenticate(bearer(approverToken));
    expect(onApprovers.ok && onApprovers.value.authenticatedBy).toBe('approvers');
    expect(reasonOf(await agents.authenticate(bearer(approverToken)))).toBe('audience_mismatch');

    // Even with the typ the approvers require, the audience keeps the planes apart.
    const typed = await signToken(a, baseClaims({ aud: 'agentguard:tools' }), { typ: 'at+jwt' });
    expect(reasonOf(await approvers.authenticate(bearer(typed)))).toBe('audience_mismatch');
  });

  it('the caches of the two planes are separate', async () => {
    const { agents, approvers } = planes();
    const agentToken = await signToken(a, baseClaims({ aud: 'agentguard:tools' }));
    expect((await agents.authenticate(bearer(agentToken))).ok).toBe(true);
    expect((await agents.authenticate(bearer(agentToken))).ok).toBe(true); // cached
    expect((await approvers.authenticate(bearer(agentToken))).ok).toBe(false);
  });
});
