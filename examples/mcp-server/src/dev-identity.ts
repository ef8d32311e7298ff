import { SignJWT, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';

/** The issuer of the development identity provider. */
export const DEV_ISSUER = 'https://idp.agentguard.test/';
/** Audience of tokens on the agents' plane (who calls tools). */
export const AGENT_AUDIENCE = 'https://mcp.crm.agentguard.test';
/** Audience of tokens on the approvers' plane (who decides approvals). */
export const APPROVER_AUDIENCE = 'https://approvals.crm.agentguard.test';
/** Authentication levels the step-up policy speaks of. */
export const LOA_PASSWORD = 'urn:agentguard:loa:1';
export const LOA_MFA = 'urn:agentguard:loa:2';

/** Who a development token is for. */
export interface DevTokenClaims {
  readonly subject: string;
  readonly tenant: string;
  readonly roles: readonly string[];
  /** The agent acting for the subject (RFC 8693 `act`), with its sponsor and risk tier. */
  readonly agent?: { readonly id: string; readonly sponsor?: string; readonly riskTier?: string };
  /** `acr`; default {@link LOA_PASSWORD}. */
  readonly acr?: string;
  /** Seconds ago the user last authenticated interactively; default 3600. */
  readonly authenticatedSecondsAgo?: number;
  /** Default {@link AGENT_AUDIENCE}. */
  readonly audience?: string;
  /** Default '15m'. */
  readonly expiresIn?: string;
}

/** A local identity provider: one signing key, its public JWKS, and a token minter. */
export interface DevIdentityProvider {
  readonly issuer: string;
  readonly jwks: JSONWebKeySet;
  mint(claims: DevTokenClaims): Promise<string>;
}

/**
 * A development identity provider with a fresh ES256 key: good for demos and tests, never for
 * production (there, `jwtAuth` reads your IdP's JWKS or OIDC discovery document).
 */
export async function createDevIdentityProvider(): Promise<DevIdentityProvider> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = `dev-${Date.now().toString(36)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    issuer: DEV_ISSUER,
    jwks: { keys: [jwk] },
    mint(claims) {
      const payload: Record<string, unknown> = {
        tenant_id: claims.tenant,
        roles: [...claims.roles],
        acr: claims.acr ?? LOA_PASSWORD,
        amr: claims.acr === LOA_MFA ? ['pwd', 'otp'] : ['pwd'],
        auth_time: Math.floor(Date.now() / 1000) - (claims.authenticatedSecondsAgo ?? 3600),
      };
      if (claims.agent) {
        payload['act'] = { sub: claims.agent.id };
        if (claims.agent.sponsor) payload['agent_sponsor'] = claims.agent.sponsor;
        if (claims.agent.riskTier) payload['agent_risk_tier'] = claims.agent.riskTier;
      }
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(DEV_ISSUER)
        .setAudience(claims.audience ?? AGENT_AUDIENCE)
        .setSubject(claims.subject)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime(claims.expiresIn ?? '15m')
        .sign(privateKey);
    },
  };
}

/** The example's cast: an agent acting for a user, the same after MFA, an unvetted agent, an
 * administrator, an approver (approvers' plane), and a user of another tenant. */
export async function mintExampleTokens(idp: DevIdentityProvider) {
  const agent = { id: 'agent:finance-bot', sponsor: 'user:ada', riskTier: 'low' };
  const ada = { subject: 'user:ada', tenant: 'acme', roles: ['support', 'payments'], agent };
  return {
    ada: await idp.mint(ada),
    adaMfa: await idp.mint({ ...ada, acr: LOA_MFA, authenticatedSecondsAgo: 20 }),
    riskyAgent: await idp.mint({
      ...ada,
      agent: { id: 'agent:unvetted', sponsor: 'user:ada', riskTier: 'high' },
    }),
    grace: await idp.mint({ subject: 'user:grace', tenant: 'acme', roles: ['admin'] }),
    graceApprover: await idp.mint({
      subject: 'user:grace',
      tenant: 'acme',
      roles: ['approver'],
      audience: APPROVER_AUDIENCE,
    }),
    mallory: await idp.mint({ subject: 'user:mallory', tenant: 'globex', roles: ['support'] }),
  };
}
