import type { Principal } from '@agentguard/core';
import { testPrincipal } from '../../../scripts/test-support/principals.js';

export { tableAuthenticator } from '../../../scripts/test-support/principals.js';

/** A principal with this package's test defaults (a viewer of tenant-a). */
export function principal(overrides: Partial<Principal> = {}): Principal {
  return testPrincipal({ roles: ['viewer'], ...overrides });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
