export { createGuard } from './create-guard.js';
export type {
  Guard,
  GuardOptions,
  GuardedResult,
  GuardedTool,
  HandlerContext,
  RejectUnknownToolOptions,
  ToolHandler,
  UnknownToolRejection,
} from './create-guard.js';

export {
  ERROR_CODES,
  GuardError,
  UnauthenticatedError,
  ForbiddenError,
  InvalidInputError,
  RateLimitedError,
  PolicyDeniedError,
  StepUpRequiredError,
  ApprovalRequiredError,
  ApprovalInvalidError,
  HookFailedError,
  HandlerError,
  InternalGuardError,
  GuardConfigError,
  isGuardError,
} from './errors.js';
export type {
  GuardErrorCode,
  GuardErrorOptions,
  GuardErrorPayload,
  HookFailureKind,
  InputIssue,
  StageName,
  StepUpChallenge,
} from './errors.js';

export type { Principal, AgentIdentity, Actor, AuthLevel } from './principal.js';
export type { CallContext, HeaderBag } from './call-context.js';
export type {
  ToolDefinition,
  ToolInfo,
  ToolAnnotations,
  OperationKind,
  Sensitivity,
} from './tool.js';
export type { Decision, HookFailure, Outcome } from './decision.js';
export type { Obligations, ObligationsPatch, ApprovalObligation } from './obligations.js';
export { ok, fail } from './result.js';
export type { StageResult, MaybePromise } from './result.js';
export type {
  Authenticator,
  AccessControl,
  AccessGrant,
  PolicyEngine,
  PolicyInput,
  PolicyMatch,
  PolicyOutcome,
  ApprovalService,
  ApprovalRequestInput,
  ApprovalTicket,
  ApprovalConsumeInput,
  ApprovalGrant,
  ApprovalDecision,
  ApprovalWatchInput,
  Masker,
  MaskContext,
  MaskFindings,
  MaskTarget,
  SignerProvider,
  SignerIdentity,
  CallSigner,
} from './stages.js';

export { anonymousAuthenticator, allowAllAccess } from './builtin-stages.js';
export type { AnonymousOptions } from './builtin-stages.js';

export {
  bearerChallenge,
  challengeFor,
  isUserAuthenticationChallenge,
} from './www-authenticate.js';
export type { BearerChallengeParams, ChallengeOptions, HttpChallenge } from './www-authenticate.js';
export { bearerToken } from './bearer-token.js';
export { forgetLastMatch, testQuietly } from './regexp-statics.js';
export { ownString } from './own-string.js';

export { createDecisionId, isDecisionId } from './decision-id.js';
export { readTraceparent } from './trace-context.js';
export type { TraceContext } from './trace-context.js';
export { canonicalJson, digestArgs } from './canonical-json.js';
export { compileToolPattern, compileToolPatterns } from './tool-pattern.js';
export type { ToolMatcher } from './tool-pattern.js';

export { DEFAULT_INPUT_LIMITS, checkInputLimits } from './validation/input-limits.js';
export type { InputLimits } from './validation/input-limits.js';
export { strictSchema } from './validation/strict-schema.js';

export type { Hook, HookInput, HookVerdict } from './hooks/hook.js';
export { testHook } from './hooks/test-hook.js';
export type { HookTestReport, SampleCall } from './hooks/test-hook.js';

export { MemoryRateLimitStore } from './rate-limit/memory-rate-limit-store.js';
export type { MemoryRateLimitStoreOptions } from './rate-limit/memory-rate-limit-store.js';
export type {
  RateLimitStore,
  RateLimitSpec,
  RateLimitState,
  RateLimitAlgorithm,
} from './rate-limit/rate-limit-store.js';
export type {
  RateLimitRule,
  RateLimitDimension,
  RateLimitInfo,
} from './rate-limit/rate-limiter.js';

export type { KeyValueStore } from './store/key-value-store.js';
export { MemoryKeyValueStore } from './store/memory-key-value-store.js';
export type { MemoryKeyValueStoreOptions } from './store/memory-key-value-store.js';

export { AuditDispatcher } from './audit/audit-dispatcher.js';
export type {
  AuditOptions,
  AuditQueueFullPolicy,
  AuditRetryOptions,
  AuditStats,
} from './audit/audit-dispatcher.js';
export { auditEventSchema } from './audit/audit-event.js';
export type { AuditEvent } from './audit/audit-event.js';
export type { AuditSink } from './audit/audit-sink.js';
export { memoryAuditSink } from './audit/memory-audit-sink.js';
export type { MemoryAuditSink, MemoryAuditSinkOptions } from './audit/memory-audit-sink.js';
export { stdoutAuditSink } from './audit/stdout-audit-sink.js';
export type { StdoutAuditSinkOptions, WritableLike } from './audit/stdout-audit-sink.js';

export { createMetricsRecorder } from './metrics.js';
export type {
  MetricEvent,
  MetricsListener,
  MetricsRecorder,
  MetricsSnapshot,
  LatencySummary,
} from './metrics.js';
export { silentLogger } from './logger.js';
export type { Logger } from './logger.js';

export { guardConfigSchema, rateLimitRuleSchema } from './config/guard-config.js';
export type { GuardConfig } from './config/guard-config.js';
export {
  loadGuardConfig,
  parseGuardConfig,
  guardOptionsFromConfig,
  guardConfigJsonSchema,
} from './config/load-guard-config.js';
