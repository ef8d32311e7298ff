import {
  UnauthenticatedError,
  fail,
  ok,
  type Authenticator,
  type CallContext,
  type Principal,
} from '@agentguard/core';

/** A principal with neutral defaults, for tests; pass what the test is about. */
export function testPrincipal(overrides: Partial<Principal> = {}): Principal {
  return {
    subject: 'user-1',
    tenantId: 'tenant-a',
    roles: [],
    permissions: [],
    scopes: [],
    authLevel: {},
    claims: {},
    authenticatedBy: 'test',
    ...overrides,
  };
}

/**
 * A real (if tiny) authenticator for tests: the bearer token names a principal in a table. It
 * reads the token the way adapters pass it: `context.token`, else the `authorization` header.
 * No token: `unauthenticated` (`missing`); an unknown one: `unauthenticated` (`bad_signature`).
 */
export function tableAuthenticator(table: Readonly<Record<string, Principal>>): Authenticator {
  return {
    kind: 'authenticator',
    name: 'table',
    authenticate(context: CallContext) {
      const header = context.headers?.['authorization'];
      const fromHeader =
        typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
      const token = context.token ?? fromHeader;
      if (token === undefined)
        return fail(new UnauthenticatedError(undefined, { reason: 'missing' }));
      const found = Object.hasOwn(table, token) ? table[token] : undefined;
      if (!found) {
        return fail(new UnauthenticatedError('invalid token', { reason: 'bad_signature' }));
      }
      return ok(found);
    },
  };
}
