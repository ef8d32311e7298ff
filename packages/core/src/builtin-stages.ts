import { GuardConfigError } from './errors.js';
import type { Principal } from './principal.js';
import { ok } from './result.js';
import type { AccessControl, Authenticator } from './stages.js';

/** Options of {@link anonymousAuthenticator}. */
export interface AnonymousOptions {
  /** Tenant every anonymous call belongs to. Default `public`. The tenant hint is ignored. */
  readonly tenantId?: string | undefined;
  /** Subject recorded for anonymous calls. Default `anonymous`. */
  readonly subject?: string | undefined;
  /** Roles given to anonymous callers. Default none. */
  readonly roles?: readonly string[] | undefined;
}

/**
 * The explicit opt-in to unauthenticated access: every call gets the same anonymous
 * principal. Without an authenticator, a guard refuses every call with `unauthenticated`.
 *
 * @example
 * const guard = createGuard({ authenticator: anonymousAuthenticator(), accessControl: allowAllAccess() });
 */
export function anonymousAuthenticator(options: AnonymousOptions = {}): Authenticator {
  const tenantId = options.tenantId ?? 'public';
  const subject = options.subject ?? 'anonymous';
  if (tenantId.length === 0 || subject.length === 0) {
    throw new GuardConfigError('tenantId and subject must not be empty', { path: 'anonymous' });
  }
  const principal: Principal = Object.freeze({
    subject,
    tenantId,
    roles: Object.freeze([...(options.roles ?? [])]),
    permissions: Object.freeze([]),
    scopes: Object.freeze([]),
    authLevel: Object.freeze({}),
    claims: Object.freeze({}),
    authenticatedBy: 'anonymous',
  });
  const result = ok(principal);
  return {
    kind: 'authenticator',
    name: 'anonymous',
    authenticate() {
      return result;
    },
  };
}

/**
 * The explicit opt-in to letting every authenticated principal call every tool. Without an
 * access-control stage, a guard refuses every call with `forbidden`.
 */
export function allowAllAccess(): AccessControl {
  const grant = ok({ matchedRules: Object.freeze(['allow-all']) });
  return {
    kind: 'access_control',
    name: 'allow-all',
    authorize() {
      return grant;
    },
    visibleTools(_principal, tools) {
      return tools;
    },
  };
}
