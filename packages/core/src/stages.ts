import type { CallContext } from './call-context.js';
import type { GuardError } from './errors.js';
import type { ObligationsPatch } from './obligations.js';
import type { Principal } from './principal.js';
import type { MaybePromise, StageResult } from './result.js';
import type { ToolInfo } from './tool.js';

/**
 * Stage 1. Verifies the caller's credential and builds the {@link Principal}.
 * Fails with an `UnauthenticatedError` (code `unauthenticated`).
 */
export interface Authenticator {
  readonly kind: 'authenticator';
  /** Shown in audit events as `principal.authenticatedBy`. */
  readonly name: string;
  authenticate(context: CallContext): MaybePromise<StageResult<Principal>>;
}

/** Why access control let a call through. */
export interface AccessGrant {
  /** Ids of the rules that allowed the call. */
  readonly matchedRules: readonly string[];
}

/**
 * Stage 2. Decides whether the principal may call the tool at all.
 * Fails with a `ForbiddenError` (code `forbidden`).
 */
export interface AccessControl {
  readonly kind: 'access_control';
  readonly name: string;
  authorize(principal: Principal, tool: ToolInfo): MaybePromise<StageResult<AccessGrant>>;
  /** The subset of `tools` that `principal` may call, for adapters that filter listings. */
  visibleTools?(principal: Principal, tools: readonly ToolInfo[]): readonly ToolInfo[];
  /** Told of every tool the guard registers (for example to warn about uncovered tools). */
  toolRegistered?(tool: ToolInfo): void;
}

/** What a policy engine is asked to decide. */
export interface PolicyInput {
  readonly principal: Principal;
  readonly tool: ToolInfo;
  /** The validated arguments. */
  readonly args: unknown;
  readonly context: CallContext;
  /** Milliseconds since the epoch at which the call arrived. */
  readonly now: number;
}

/** One policy that matched a call. */
export interface PolicyMatch {
  readonly id: string;
  readonly version?: string | number | undefined;
  /** The action the policy carries (`deny`, `step_up`, `require_approval`, `mask`, `allow`). */
  readonly action: string;
  /** `global` or the tenant id that owns the policy. */
  readonly scope?: string | undefined;
  /** True when the policy is in monitor mode: recorded as "would have …", not enforced. */
  readonly monitor: boolean;
  /** True when this policy decided the outcome. */
  readonly decisive?: boolean | undefined;
}

/** What a policy engine answers. */
export type PolicyOutcome =
  | {
      readonly ok: true;
      readonly matched: readonly PolicyMatch[];
      readonly obligations?: ObligationsPatch | undefined;
    }
  | { readonly ok: false; readonly matched: readonly PolicyMatch[]; readonly error: GuardError };

/**
 * Stage 5. Conditional policies. Rejects with `policy_denied`, `step_up_required` or
 * requires approval through the `approval` obligation.
 */
export interface PolicyEngine {
  readonly kind: 'policy';
  readonly name: string;
  evaluate(input: PolicyInput): MaybePromise<PolicyOutcome>;
}

/** A new approval request, created when a policy requires approval. */
export interface ApprovalRequestInput {
  readonly decisionId: string;
  readonly flowId: string;
  readonly principal: Principal;
  readonly tool: ToolInfo;
  /** The validated arguments (the approvals service masks them for approvers). */
  readonly args: unknown;
  /** SHA-256 of the canonical JSON of the arguments (base64url). */
  readonly argsDigest: string;
}

/** An approval request as created. */
export interface ApprovalTicket {
  readonly approvalId: string;
  /** ISO 8601. */
  readonly expiresAt?: string | undefined;
}

/** A re-invocation that presents an approval id. */
export interface ApprovalConsumeInput {
  readonly approvalId: string;
  readonly principal: Principal;
  readonly tool: ToolInfo;
  readonly argsDigest: string;
}

/** A consumed approval grant. */
export interface ApprovalGrant {
  readonly approvalId: string;
  /** Signed receipt (JWS) that backends verify offline. */
  readonly receipt?: string | undefined;
}

/** How an approval request left `pending`, as {@link ApprovalService.onDecision} reports it. */
export type ApprovalDecision = 'approved' | 'rejected' | 'expired';

/** The request {@link ApprovalService.onDecision} watches, and whose it is. */
export interface ApprovalWatchInput {
  readonly approvalId: string;
  /** Tenant of the requester. */
  readonly tenantId: string;
  /** Subject of the requester. */
  readonly subject: string;
}

/** Human approval flows. Grants are single-use: `consume` must be atomic. */
export interface ApprovalService {
  readonly kind: 'approvals';
  readonly name: string;
  request(input: ApprovalRequestInput): Promise<ApprovalTicket>;
  consume(input: ApprovalConsumeInput): Promise<StageResult<ApprovalGrant>>;
  /**
   * Optional. Calls `listener` once, when the request is decided or expires (at once, maybe
   * before `onDecision` returns, when it already is), and returns a function that stops
   * watching. An unknown id, or a request of another requester or tenant, is reported
   * `expired`. `approved` means a grant is ready: it is still taken through `consume`, by a
   * call that runs the whole pipeline again. Adapters use it to finish a call that waits for
   * approvers (MCP tasks) without polling.
   */
  onDecision?(
    input: ApprovalWatchInput,
    listener: (decision: ApprovalDecision) => void,
  ): () => void;
}

/** Where a masker is applied. */
export type MaskTarget = 'result' | 'args';

/** What a masker knows about the call. */
export interface MaskContext {
  readonly target: MaskTarget;
  readonly tool: ToolInfo;
  readonly principal?: Principal | undefined;
  /** Profiles selected by policies and hooks; empty means the masker's defaults. */
  readonly profiles: readonly string[];
}

/** What was masked: counts and JSON paths, never values. */
export interface MaskFindings {
  readonly total: number;
  readonly byCategory: Readonly<Record<string, number>>;
  readonly paths: readonly string[];
}

/** Stage 9. Masks sensitive data in results and in the arguments the audit keeps. */
export interface Masker {
  readonly kind: 'masker';
  readonly name: string;
  mask(
    value: unknown,
    context: MaskContext,
  ): MaybePromise<{ readonly value: unknown; readonly findings: MaskFindings }>;
}

/** Whom a forwarded call is for, as the signer asserts it to backends. */
export interface SignerIdentity {
  readonly subject: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly agentId?: string | undefined;
  readonly decisionId: string;
  readonly tool: string;
  /** Approval receipt (JWS), when the call was approved. */
  readonly approvalReceipt?: string | undefined;
}

/** Signs the requests a handler forwards to backends, bound to one call. */
export interface CallSigner {
  /** Returns a copy of `request` with signature (and identity) headers added. */
  sign(request: Request): Promise<Request>;
  /** `fetch` that signs every request it sends. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
}

/** Stage 7 support: gives each call's handler a signer bound to that call. */
export interface SignerProvider {
  readonly kind: 'signer';
  readonly name: string;
  forCall(identity: SignerIdentity): CallSigner;
}
