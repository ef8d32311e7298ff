/**
 * Every rejection the pipeline can answer with, and how each transport spells it.
 *
 * Adapters read this table; they never invent a status. JSON-RPC codes in the
 * implementation-defined server range (-32000 to -32099) are ours; `invalid_input` uses the
 * standard "invalid params" code and `internal_error` the standard "internal error".
 */
export const ERROR_CODES = {
  unauthenticated: { status: 401, jsonRpc: -32001, title: 'Unauthenticated' },
  forbidden: { status: 403, jsonRpc: -32003, title: 'Forbidden' },
  invalid_input: { status: 400, jsonRpc: -32602, title: 'Invalid input' },
  rate_limited: { status: 429, jsonRpc: -32029, title: 'Rate limited' },
  policy_denied: { status: 403, jsonRpc: -32004, title: 'Denied by policy' },
  step_up_required: { status: 401, jsonRpc: -32005, title: 'Step-up authentication required' },
  approval_required: { status: 202, jsonRpc: -32006, title: 'Approval required' },
  approval_invalid: { status: 403, jsonRpc: -32007, title: 'Approval invalid' },
  hook_failed: { status: 403, jsonRpc: -32008, title: 'Rejected by hook' },
  handler_error: { status: 500, jsonRpc: -32010, title: 'Tool failed' },
  internal_error: { status: 500, jsonRpc: -32603, title: 'Internal error' },
} as const;

/** The stable code of every rejection. */
export type GuardErrorCode = keyof typeof ERROR_CODES;

/** The pipeline's stages, in the order they run. */
export const STAGE_NAMES = [
  'authenticate',
  'authorize',
  'validate',
  'rate_limit',
  'policy',
  'approval',
  'before_hooks',
  'handler',
  'after_hooks',
  'mask',
  'audit',
] as const;

/** The pipeline stage that produced a rejection. */
export type StageName = (typeof STAGE_NAMES)[number];

/** Options shared by every {@link GuardError} constructor. */
export interface GuardErrorOptions {
  /** Machine-readable detail, recorded in the audit event (for example `expired`). */
  readonly reason?: string | undefined;
  /** The decision this rejection belongs to; the pipeline fills it in. */
  readonly decisionId?: string | undefined;
  /** The underlying error. Kept for the developer, never serialised to the caller. */
  readonly cause?: unknown;
  /** Overrides the table's HTTP status where a code has two (`hook_failed`: 403 or 503). */
  readonly status?: number | undefined;
}

/** The fields of a rejection that are safe to send to the caller. */
export interface GuardErrorPayload {
  readonly code: GuardErrorCode;
  readonly message: string;
  readonly status: number;
  readonly decisionId?: string;
  readonly reason?: string;
  readonly [extra: string]: unknown;
}

/**
 * Base class of every rejection. The message is safe to show to the agent: it never holds a
 * token, secret, stack or internal path. `cause` is for the developer and is never serialised.
 */
export class GuardError extends Error {
  /** The stable code of this kind of rejection. */
  static readonly code: GuardErrorCode = 'internal_error';

  readonly code: GuardErrorCode;
  /** HTTP status that adapters answer with. */
  readonly status: number;
  /** Machine-readable detail, for the audit stream and for clients that branch on it. */
  readonly reason: string | undefined;
  /** The decision id of the call that was rejected. */
  decisionId: string | undefined;

  constructor(code: GuardErrorCode, message: string, options: GuardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.reason = options.reason;
    this.decisionId = options.decisionId;
  }

  /** JSON-RPC error code for MCP adapters. */
  get jsonRpcCode(): number {
    return ERROR_CODES[this.code].jsonRpc;
  }

  /** What the caller may see: code, safe message, status, decision id and public details. */
  toJSON(): GuardErrorPayload {
    return {
      code: this.code,
      message: this.message,
      status: this.status,
      ...(this.decisionId === undefined ? {} : { decisionId: this.decisionId }),
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      ...this.details(),
    };
  }

  /** Extra public fields a subclass adds to {@link toJSON}. */
  protected details(): Record<string, unknown> {
    return {};
  }
}

/** The bearer token is missing or invalid. */
export class UnauthenticatedError extends GuardError {
  static override readonly code = 'unauthenticated' as const;
  /** Value for a `WWW-Authenticate` response header (RFC 6750), when the authenticator set one. */
  readonly wwwAuthenticate: string | undefined;
  constructor(
    message = 'authentication required',
    options: GuardErrorOptions & { readonly wwwAuthenticate?: string | undefined } = {},
  ) {
    super('unauthenticated', message, options);
    this.wwwAuthenticate = options.wwwAuthenticate;
  }
}

/** Access control refused the principal this tool. */
export class ForbiddenError extends GuardError {
  static override readonly code = 'forbidden' as const;
  constructor(message = 'not allowed to call this tool', options: GuardErrorOptions = {}) {
    super('forbidden', message, options);
  }
}

/** One failing location in the input, without the value that failed. */
export interface InputIssue {
  /** JSON path of the failing value, `$` for the root. */
  readonly path: string;
  /** Short, value-free description. */
  readonly message: string;
}

/** The arguments failed the size limits or the schema. */
export class InvalidInputError extends GuardError {
  static override readonly code = 'invalid_input' as const;
  readonly issues: readonly InputIssue[];
  constructor(issues: readonly InputIssue[], options: GuardErrorOptions = {}) {
    super('invalid_input', 'invalid input', options);
    this.issues = issues;
  }
  protected override details(): Record<string, unknown> {
    return { issues: this.issues };
  }
}

/** A rate limit was exceeded. */
export class RateLimitedError extends GuardError {
  static override readonly code = 'rate_limited' as const;
  /** Seconds until a retry can succeed (for `Retry-After`). */
  readonly retryAfter: number;
  /** The limit that was hit (for `RateLimit-Policy`). */
  readonly limit: number;
  /** Window of that limit, in seconds. */
  readonly windowSeconds: number;
  constructor(
    retryAfter: number,
    limit: number,
    windowSeconds: number,
    options: GuardErrorOptions = {},
  ) {
    super('rate_limited', 'rate limit exceeded', options);
    this.retryAfter = retryAfter;
    this.limit = limit;
    this.windowSeconds = windowSeconds;
  }
  protected override details(): Record<string, unknown> {
    return { retryAfter: this.retryAfter, limit: this.limit, windowSeconds: this.windowSeconds };
  }
}

/** A policy denied the call. */
export class PolicyDeniedError extends GuardError {
  static override readonly code = 'policy_denied' as const;
  constructor(message = 'denied by policy', options: GuardErrorOptions = {}) {
    super('policy_denied', message, options);
  }
}

/** What the caller must present to pass a step-up policy (RFC 9470 and RFC 6750 scopes). */
export interface StepUpChallenge {
  /** Acceptable `acr` values, most preferred first. */
  readonly acrValues?: readonly string[];
  /** Maximum seconds since the user last authenticated. */
  readonly maxAge?: number;
  /** Scopes the token must carry. */
  readonly scopes?: readonly string[];
}

/** The call needs a stronger authentication or more scopes. */
export class StepUpRequiredError extends GuardError {
  static override readonly code = 'step_up_required' as const;
  readonly challenge: StepUpChallenge;
  constructor(challenge: StepUpChallenge, options: GuardErrorOptions = {}) {
    const userAuthentication =
      (challenge.acrValues?.length ?? 0) > 0 || challenge.maxAge !== undefined;
    super(
      'step_up_required',
      userAuthentication ? 'stronger authentication required' : 'more scopes required',
      // Scopes alone are an authorisation matter: 403 insufficient_scope (RFC 6750 §3.1);
      // a stronger or fresher authentication is 401 (RFC 9470).
      { status: userAuthentication ? 401 : 403, ...options },
    );
    this.challenge = challenge;
  }
  protected override details(): Record<string, unknown> {
    return { challenge: this.challenge };
  }
}

/** The call waits for a human decision; re-invoke with the approval id once approved. */
export class ApprovalRequiredError extends GuardError {
  static override readonly code = 'approval_required' as const;
  /** Id of the approval request, absent when no approval service is configured. */
  readonly approvalId: string | undefined;
  /** When the request expires (ISO 8601), when known. */
  readonly expiresAt: string | undefined;
  constructor(
    approvalId: string | undefined,
    options: GuardErrorOptions & { readonly expiresAt?: string | undefined } = {},
  ) {
    super('approval_required', 'approval required', options);
    this.approvalId = approvalId;
    this.expiresAt = options.expiresAt;
  }
  protected override details(): Record<string, unknown> {
    return {
      ...(this.approvalId === undefined ? {} : { approvalId: this.approvalId }),
      ...(this.expiresAt === undefined ? {} : { expiresAt: this.expiresAt }),
    };
  }
}

/** The approval presented is unknown, pending, rejected, expired, used or bound to other args. */
export class ApprovalInvalidError extends GuardError {
  static override readonly code = 'approval_invalid' as const;
  constructor(message = 'approval not valid for this call', options: GuardErrorOptions = {}) {
    super('approval_invalid', message, options);
  }
}

/** How a hook failure was handled. */
export type HookFailureKind = 'rejected' | 'error' | 'timeout';

/** A before- or after-hook rejected the call, or failed with `failMode: 'closed'`. */
export class HookFailedError extends GuardError {
  static override readonly code = 'hook_failed' as const;
  readonly hook: string;
  readonly kind: HookFailureKind;
  constructor(
    hook: string,
    kind: HookFailureKind,
    message?: string,
    options: GuardErrorOptions = {},
  ) {
    super(
      'hook_failed',
      message ?? (kind === 'rejected' ? 'rejected by hook' : 'hook unavailable'),
      {
        reason: kind,
        ...options,
        // A rejection is a decision (403); an error or timeout is an outage (503).
        status: kind === 'rejected' ? 403 : 503,
      },
    );
    this.hook = hook;
    this.kind = kind;
  }
  protected override details(): Record<string, unknown> {
    return { hook: this.hook };
  }
}

/** The tool handler threw. The cause stays on the server; the caller sees a generic message. */
export class HandlerError extends GuardError {
  static override readonly code = 'handler_error' as const;
  constructor(options: GuardErrorOptions = {}) {
    super('handler_error', 'tool failed', options);
  }
}

/** A stage failed unexpectedly; the call is refused (fail closed). */
export class InternalGuardError extends GuardError {
  static override readonly code = 'internal_error' as const;
  constructor(options: GuardErrorOptions = {}) {
    super('internal_error', 'internal error', options);
  }
}

/** True when `value` is a {@link GuardError}, from this copy of the package or another. */
export function isGuardError(value: unknown): value is GuardError {
  if (value instanceof GuardError) return true;
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'string' &&
    Object.hasOwn(ERROR_CODES, (value as unknown as { code: string }).code) &&
    typeof (value as { status?: unknown }).status === 'number'
  );
}

/**
 * A mistake in how the guard was set up (thrown at the developer, at construction time).
 * Never sent to a caller.
 */
export class GuardConfigError extends Error {
  readonly code = 'config_invalid' as const;
  /** Path of the offending option, for example `rateLimits[0].limit`. */
  readonly path: string | undefined;
  constructor(message: string, options: { path?: string; cause?: unknown } = {}) {
    super(
      options.path === undefined ? message : `${options.path}: ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'GuardConfigError';
    this.path = options.path;
  }
}
