import { createDevIdentityProvider, mintExampleTokens } from './dev-identity.js';

// Prints the example's development tokens and the JWKS that verifies them. Each run makes a
// new key: use them with a server configured with this JWKS (src/main.ts mints its own).
// Never use development keys in production.
const idp = await createDevIdentityProvider();
console.log(
  JSON.stringify(
    { issuer: idp.issuer, jwks: idp.jwks, tokens: await mintExampleTokens(idp) },
    null,
    2,
  ),
);
