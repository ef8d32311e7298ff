/**
 * The claims of an approval receipt (a compact JWS, `typ` `agentguard-receipt+jwt`), as the
 * approvals package issues them and {@link verifyReceipt} returns them.
 */
export interface ApprovalReceiptClaims {
  /** Id of the approval request. */
  readonly approvalId: string;
  /** The tool the approval is for. */
  readonly tool: string;
  /** SHA-256 of the canonical JSON of the approved arguments, base64url (43 characters). */
  readonly argsDigest: string;
  /** The tenant the approval belongs to. */
  readonly tenantId: string;
  /** Subjects of the approvers who decided, in order of decision. At least one. */
  readonly approvers: readonly string[];
  /** Subject of the requester (`sub`), when present. */
  readonly requester?: string | undefined;
  /** Issuer (`iss`), when present. */
  readonly issuer?: string | undefined;
  /** Issued at, seconds since the epoch (`iat`). */
  readonly issuedAt: number;
  /** Expires, seconds since the epoch (`exp`). */
  readonly expiresAt: number;
}
