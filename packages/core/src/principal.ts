/** The agent identity carried by a token, when the caller is an agent. */
export interface AgentIdentity {
  /** Stable id of the agent (client id, agent id claim). */
  readonly id: string;
  /** The human or organisation accountable for the agent. */
  readonly sponsor?: string | undefined;
  /** Risk tier assigned to the agent (for example `low`, `high`). */
  readonly riskTier?: string | undefined;
}

/** The party a token's subject acts for or through (RFC 8693 `act`). */
export interface Actor {
  readonly subject: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** How and when the subject authenticated, for step-up decisions. */
export interface AuthLevel {
  /** Authentication context class reference (`acr`). */
  readonly acr?: string | undefined;
  /** Authentication methods (`amr`). */
  readonly amr?: readonly string[] | undefined;
  /** Seconds since the epoch of the last interactive authentication (`auth_time`). */
  readonly authTime?: number | undefined;
}

/** The verified caller of a tool. */
export interface Principal {
  /** Who the call is for (the token's subject). */
  readonly subject: string;
  /** The tenant every store key, policy and audit event is scoped to. */
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  readonly scopes: readonly string[];
  /** Present when the caller is an agent. */
  readonly agent?: AgentIdentity | undefined;
  /** Present when the token was issued to an actor acting for the subject (RFC 8693). */
  readonly actor?: Actor | undefined;
  readonly authLevel: AuthLevel;
  /** Token id (`jti`), for revocation and audit. */
  readonly tokenId?: string | undefined;
  /** Seconds since the epoch at which the credential expires, when it does. */
  readonly expiresAt?: number | undefined;
  /** The verified claims as issued. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Which authenticator produced this principal (for audit). */
  readonly authenticatedBy: string;
}
