import { APPROVER_AUDIENCE, LOA_MFA, createDevIdentityProvider } from './dev-identity.js';

// Prints a set of development tokens and the JWKS that verifies them. Each run makes a new
// key: use these with a server configured with this JWKS (see src/main.ts for one that mints
// its own). Never use development keys in production.
const idp = await createDevIdentityProvider();
const agent = { id: 'agent:finance-bot', sponsor: 'user:ada', riskTier: 'low' };
const tokens = {
  ada: await idp.mint({
    subject: 'user:ada',
    tenant: 'acme',
    roles: ['support', 'payments'],
    agent,
  }),
  adaMfa: await idp.mint({
    subject: 'user:ada',
    tenant: 'acme',
    roles: ['support', 'payments'],
    agent,
    acr: LOA_MFA,
    authenticatedSecondsAgo: 5,
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
console.log(JSON.stringify({ issuer: idp.issuer, jwks: idp.jwks, tokens }, null, 2));
