import type { ClaimMapping } from './claim-mapping.js';

/**
 * Claim mappings for common identity providers, used with the issuer option `preset`.
 * Fields you set in `claims` override the preset's.
 *
 * - `auth0`: tenant `org_id` (Organizations), `permissions` (RBAC "add permissions in the
 *   access token"), `scope`. Auth0 puts roles only in a namespaced custom claim: set
 *   `claims.roles` to it (for example `https://example.com/roles`).
 * - `okta`: roles from `groups`, scopes from `scp`. Okta has no tenant claim: bind the
 *   tenant to the issuer (`tenantId`) or add a custom claim.
 * - `keycloak`: roles from `realm_access.roles`, scopes from `scope`, tenant `tenant_id`
 *   (a protocol mapper you add). Client roles live in `resource_access.<client>.roles`.
 * - `entra`: subject `oid` (stable across applications; `sub` is pairwise), tenant `tid`,
 *   app roles from `roles`, delegated scopes from `scp` (space-separated).
 * - `frontegg`: tenant `tenantId`, `roles`, `permissions`.
 *
 * @example
 * jwtAuth({ issuer, audience, algorithms: ['RS256'], discovery: true, preset: 'keycloak' });
 */
export const claimPresets = {
  auth0: { tenant: 'org_id', roles: [], permissions: 'permissions', scopes: 'scope' },
  okta: { tenant: [], roles: 'groups', permissions: [], scopes: 'scp' },
  keycloak: {
    tenant: 'tenant_id',
    roles: 'realm_access.roles',
    permissions: [],
    scopes: 'scope',
  },
  entra: { subject: 'oid', tenant: 'tid', roles: 'roles', permissions: [], scopes: 'scp' },
  frontegg: { tenant: 'tenantId', roles: 'roles', permissions: 'permissions', scopes: 'scope' },
} as const satisfies Readonly<Record<string, ClaimMapping>>;

/** Name of a {@link claimPresets} entry. */
export type ClaimPresetName = keyof typeof claimPresets;
