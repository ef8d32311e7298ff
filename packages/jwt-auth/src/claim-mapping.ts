/**
 * Where a value lives in the claims. `realm_access.roles` reads a nested member (a dot inside
 * a member name is written `\.`); a name containing `:` or `/`, such as
 * `https://example.com/roles`, is one top-level (URL-namespaced) claim.
 */
export type ClaimPath = string;

/**
 * Which claims feed each Principal field. A field given several paths reads them in order:
 * list fields (roles, permissions, scopes) merge every path present, single-valued fields take
 * the first present. A list claim may be an array of strings or one space-separated string.
 * An empty array turns the field off.
 */
export interface ClaimMapping {
  /** Default `sub`. Must be a non-empty string; a token without one is refused `missing_claim`. */
  readonly subject?: ClaimPath | readonly ClaimPath[] | undefined;
  /** Default `tenant_id`. A string; see `defaultTenant` and the issuer's `tenantId`. */
  readonly tenant?: ClaimPath | readonly ClaimPath[] | undefined;
  /** Default `roles`. */
  readonly roles?: ClaimPath | readonly ClaimPath[] | undefined;
  /** Default `permissions`. */
  readonly permissions?: ClaimPath | readonly ClaimPath[] | undefined;
  /** Default `scope` (space-separated string) and `scp` (array or string). */
  readonly scopes?: ClaimPath | readonly ClaimPath[] | undefined;
  /** Agent id. Default `agent_id`; when absent, the `act.sub` of an RFC 8693 actor is used. */
  readonly agentId?: ClaimPath | readonly ClaimPath[] | undefined;
  /** The human or organisation accountable for the agent. Default `agent_sponsor`. */
  readonly agentSponsor?: ClaimPath | readonly ClaimPath[] | undefined;
  /** Risk tier of the agent. Default `agent_risk_tier`. */
  readonly agentRiskTier?: ClaimPath | readonly ClaimPath[] | undefined;
  /** RFC 8693 actor claim (an object with `sub`). Default `act`. */
  readonly actor?: ClaimPath | readonly ClaimPath[] | undefined;
}
