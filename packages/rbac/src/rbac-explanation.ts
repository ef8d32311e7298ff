/** Why the access-control stage refused a call (`ForbiddenError.reason`). */
export type RbacDenyReason =
  /** No global rule targets the tool: deny by default. */
  | 'no_matching_rule'
  /** Rules target the tool, but the principal holds none of their roles (roles mode). */
  | 'role_missing'
  /** Rules target the tool, but the principal holds none of their permissions. */
  | 'permission_missing'
  /** The global rules allow, but the rules of the principal's tenant do not. */
  | 'tenant_rule_denied'
  /** The principal carries more roles than `maxPrincipalValues` allows. */
  | 'too_many_roles'
  /** The principal carries more permissions than `maxPrincipalValues` allows. */
  | 'too_many_permissions'
  /** The principal's roles or permissions are not a list. */
  | 'invalid_principal';

/** How one rule related to the tool and the principal, as `explain` reports it. */
export interface RuleCheck {
  readonly id: string;
  /** `global`, or `tenant` for a rule of the principal's tenant. */
  readonly scope: 'global' | 'tenant';
  /** True when the rule targets the tool. */
  readonly targets: boolean;
  /** The first criterion that excluded the tool, when the rule does not target it. */
  readonly mismatch?: 'name' | 'operation' | 'tags' | undefined;
  /** True when the rule targets the tool and the principal satisfies it. */
  readonly granted: boolean;
  /** The principal's role or permission that satisfied the rule. */
  readonly grantedBy?: string | undefined;
}

/** What `explain` answers: the decision `authorize` makes, and why. */
export interface RbacExplanation {
  readonly allowed: boolean;
  /** `allowed`, or the reason of the rejection. */
  readonly reason: 'allowed' | RbacDenyReason;
  /**
   * The first rule (in declaration order) that allowed the call. When the tenant's rules
   * denied, the global rule that would have allowed it.
   */
  readonly rule?: string | undefined;
  /** Ids of every rule that allowed the call, as `AccessGrant.matchedRules` lists them. */
  readonly matchedRules: readonly string[];
  /** True when the principal's tenant has rules of its own, which narrowed the decision. */
  readonly tenantRulesApplied: boolean;
  /** Every rule checked (global rules first, then the tenant's), in declaration order. */
  readonly checked: readonly RuleCheck[];
}
