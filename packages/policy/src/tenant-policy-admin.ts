import {
  ForbiddenError,
  GuardConfigError,
  InvalidInputError,
  type MaybePromise,
} from '@agentguard/core';
import type { PolicyDefinition } from './policy-schema.js';
import type { PolicyStore, StoredPolicy } from './policy-store.js';

/** Options of {@link tenantPolicyAdmin}. */
export interface TenantPolicyAdminOptions {
  /** Where the policies live. Required. */
  readonly store: PolicyStore;
  /** The tenant this admin manages (from the admin's verified token, never from the body). */
  readonly tenantId: string;
}

/** What a tenant admin may do: manage its own tenant's policies, nothing else. */
export interface TenantPolicyAdmin {
  readonly tenantId: string;
  /** The tenant's policies. */
  list(): Promise<readonly StoredPolicy[]>;
  /**
   * Creates or replaces a policy of this tenant. `scope` may be omitted (it is set to the
   * tenant); any other scope, `global` included, rejects with `ForbiddenError`
   * (reason `scope_not_allowed`). An invalid policy rejects with `InvalidInputError`.
   */
  put(
    policy: Omit<PolicyDefinition, 'scope'> & { readonly scope?: string },
    options: {
      readonly actor: string;
    },
  ): Promise<StoredPolicy>;
  /** Removes a policy of this tenant; false when it did not exist. */
  remove(id: string, options: { readonly actor: string }): Promise<boolean>;
}

/**
 * The API a tenant admin stores policies through. Tenant policies can only restrict: the
 * engine never lets a tenant `allow` lift a global deny, step-up or approval; this facade makes
 * sure a tenant cannot write a global policy or touch another tenant's.
 *
 * @example
 * const admin = tenantPolicyAdmin({ store, tenantId: adminPrincipal.tenantId });
 * await admin.put({ id: 'no-night-exports', action: 'deny', … }, { actor: adminPrincipal.subject });
 */
export function tenantPolicyAdmin(options: TenantPolicyAdminOptions): TenantPolicyAdmin {
  const { store, tenantId } = options;
  if (typeof tenantId !== 'string' || tenantId === '') {
    throw new GuardConfigError('tenantId is required', { path: 'tenantId' });
  }
  if (tenantId === 'global') {
    throw new GuardConfigError('"global" is not a tenant', { path: 'tenantId' });
  }
  const refuse = (): never => {
    throw new ForbiddenError('policy scope not allowed', { reason: 'scope_not_allowed' });
  };
  return {
    tenantId,
    async list() {
      return store.list(tenantId);
    },
    async put(policy, { actor }) {
      if (typeof policy !== 'object' || (policy as unknown) === null) {
        throw new InvalidInputError([{ path: '$', message: 'policy must be an object' }]);
      }
      if (policy.scope !== undefined && policy.scope !== tenantId) refuse();
      let stored: MaybePromise<StoredPolicy>;
      try {
        stored = await store.put({ ...policy, scope: tenantId }, { actor });
      } catch (error) {
        if (error instanceof GuardConfigError) {
          throw new InvalidInputError(
            [{ path: error.path ?? '$', message: error.message.replace(/^[^:]*: /, '') }],
            { cause: error },
          );
        }
        throw error;
      }
      return stored;
    },
    async remove(id, { actor }) {
      return store.remove(id, { scope: tenantId, actor });
    },
  };
}
