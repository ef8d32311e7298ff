import {
  UnauthenticatedError,
  fail,
  ok,
  type Authenticator,
  type CallContext,
  type Principal,
} from '@agentguard/core';

/** A principal with sensible defaults for tests. */
export function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    subject: 'user-1',
    tenantId: 'tenant-a',
    roles: ['viewer'],
    permissions: [],
    scopes: [],
    authLevel: {},
    claims: {},
    authenticatedBy: 'test',
    ...overrides,
  };
}

/**
 * A real (if tiny) authenticator for core tests: the bearer token names a principal in a
 * table. It reads the token the same way adapters pass it: `context.token` or the
 * `authorization` header.
 */
export function tableAuthenticator(table: Record<string, Principal>): Authenticator {
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
      const found = table[token];
      if (!found) {
        return fail(new UnauthenticatedError('invalid token', { reason: 'bad_signature' }));
      }
      return ok(found);
    },
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
