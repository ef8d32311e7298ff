import type { z } from 'zod';
import { AuditDispatcher, type AuditOptions } from './audit/audit-dispatcher.js';
import { buildAuditEvent } from './audit/build-audit-event.js';
import type { CallContext } from './call-context.js';
import { outcomeOf, type Decision } from './decision.js';
import { createDecisionId } from './decision-id.js';
import {
  ForbiddenError,
  GuardConfigError,
  InternalGuardError,
  UnauthenticatedError,
  type GuardError,
} from './errors.js';
import type { Hook } from './hooks/hook.js';
import { silentLogger, type Logger } from './logger.js';
import type { MetricEvent, MetricsListener } from './metrics.js';
import { emptyObligations, type Obligations } from './obligations.js';
import {
  errorMessage,
  runPipeline,
  toMicroseconds,
  type CompiledHook,
  type GuardStages,
  type ToolPipeline,
} from './pipeline-run.js';
import type { Principal } from './principal.js';
import { MemoryRateLimitStore } from './rate-limit/memory-rate-limit-store.js';
import type { RateLimitStore } from './rate-limit/rate-limit-store.js';
import {
  createRateLimiter,
  type RateLimitCheck,
  type RateLimitInfo,
  type RateLimitRule,
} from './rate-limit/rate-limiter.js';
import type { StageResult } from './result.js';
import type {
  AccessControl,
  ApprovalGrant,
  ApprovalService,
  Authenticator,
  CallSigner,
  Masker,
  PolicyEngine,
  SignerProvider,
} from './stages.js';
import type { OperationKind, ToolDefinition, ToolInfo } from './tool.js';
import { compileToolPatterns } from './tool-pattern.js';
import { readTraceparent } from './trace-context.js';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from './validation/input-limits.js';
import { strictSchema } from './validation/strict-schema.js';
import { createInputValidator, type InputValidator } from './validation/validate-input.js';

/** Options of {@link createGuard}. Every stage is optional; a missing stage fails safe. */
export interface GuardOptions {
  /** Stage 1. Without one, every call is `unauthenticated` (use `anonymousAuthenticator()`). */
  readonly authenticator?: Authenticator | undefined;
  /** Stage 2. Without one, every call is `forbidden` (use `allowAllAccess()` to opt out). */
  readonly accessControl?: AccessControl | undefined;
  /** Stage 3 limits applied before the schema. Defaults: {@link DEFAULT_INPUT_LIMITS}. */
  readonly inputLimits?: { readonly [K in keyof InputLimits]?: number | undefined } | undefined;
  /** Stage 4. Every matching rule applies; the first exhausted one rejects. */
  readonly rateLimits?: readonly RateLimitRule[] | undefined;
  /** Where rate-limit counters live. Default: a bounded in-memory store. */
  readonly rateLimitStore?: RateLimitStore | undefined;
  /** Stage 5. Without one, no conditional policy applies. */
  readonly policy?: PolicyEngine | undefined;
  /** Approval flows. Without one, a call that needs approval is refused `approval_required`. */
  readonly approvals?: ApprovalService | undefined;
  /** Stages 6 and 8. */
  readonly hooks?:
    { readonly before?: readonly Hook[]; readonly after?: readonly Hook[] } | undefined;
  /** Gives each handler a signer for calls it forwards to backends. */
  readonly signer?: SignerProvider | undefined;
  /** Stage 9. Without one, results are returned as the handler produced them. */
  readonly masker?: Masker | undefined;
  /** Stage 10: where audit events go. A dispatcher can be shared by several guards. */
  readonly audit?: AuditOptions | AuditDispatcher | undefined;
  /** Receives counters and latencies; see {@link createMetricsRecorder}. */
  readonly metrics?: MetricsListener | undefined;
  /** Receives warnings and errors meant for the developer. Default: silent. */
  readonly logger?: Logger | undefined;
  /** Clock in milliseconds since the epoch, for tests. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** What a guarded handler receives besides its arguments. */
export interface HandlerContext {
  /** The verified caller. */
  readonly principal: Principal;
  readonly decisionId: string;
  /** W3C trace id of this call. */
  readonly traceId: string;
  readonly tool: ToolInfo;
  /** The call context the adapter passed. */
  readonly call: CallContext;
  /** Signs requests forwarded to backends, bound to this call; set when a signer is configured. */
  readonly signer: CallSigner | undefined;
  /** The approval consumed by this call, when it needed one. */
  readonly approval: ApprovalGrant | undefined;
  readonly obligations: Obligations;
  /** Rate-limit state of the tightest limit that applied. */
  readonly rateLimit: RateLimitInfo | undefined;
}

/** A tool implementation. `args` is typed by the definition's schema. */
export type ToolHandler<S extends z.ZodType, R> = (
  args: z.output<S>,
  context: HandlerContext,
) => R | PromiseLike<R>;

/** The outcome of {@link GuardedTool.execute}. */
export type GuardedResult<R> =
  | { readonly ok: true; readonly value: R; readonly decision: Decision }
  | { readonly ok: false; readonly error: GuardError; readonly decision: Decision };

/** A handler wrapped by the guard. Calling it runs the whole pipeline. */
export interface GuardedTool<S extends z.ZodType = z.ZodType, R = unknown> {
  /** Runs the pipeline; resolves with the (masked) result or rejects with a `GuardError`. */
  (args: unknown, context?: CallContext): Promise<R>;
  /** Runs the pipeline and never rejects: the result or the error, with the decision. */
  execute(args: unknown, context?: CallContext): Promise<GuardedResult<R>>;
  /**
   * `execute` for adapters on a hot path: the same pipeline and result, returned as is when
   * every stage answered synchronously (a cached token, in-memory limits, a synchronous
   * handler), a promise otherwise — no promise and no microtask when none is needed.
   * Throws (or rejects) only where `execute` rejects.
   */
  run(args: unknown, context?: CallContext): GuardedResult<R> | Promise<GuardedResult<R>>;
  readonly toolName: string;
  readonly definition: ToolDefinition<S>;
  readonly info: ToolInfo;
}

/** The function returned by {@link createGuard}, with the guard's shared services. */
export interface Guard {
  /**
   * Wraps `handler` so that every call passes the pipeline.
   *
   * @example
   * const getCustomer = guard(
   *   'crm.get_customer',
   *   { input: z.object({ id: z.string() }), operation: 'read' },
   *   async ({ id }, { principal }) => crm.get(principal.tenantId, id),
   * );
   */
  <S extends z.ZodType, R>(
    toolName: string,
    definition: ToolDefinition<S>,
    handler: ToolHandler<S, R>,
  ): GuardedTool<S, Awaited<R>>;
  /** Every tool registered on this guard, by name. */
  readonly tools: ReadonlyMap<string, ToolInfo>;
  /** Runs stage 1 alone, for adapters that must know the caller (tool listings). */
  authenticate(context: CallContext): Promise<StageResult<Principal>>;
  /** The registered tools `principal` may call, by the access-control stage. */
  visibleTools(principal: Principal): Promise<ToolInfo[]>;
  /**
   * Refuses a call to a tool that no guarded handler serves (an adapter's fail-closed path:
   * an unknown name, or a tool registered past the guard), the way the pipeline refuses one:
   * stage 1 authenticates the caller, then the call gets its `unauthenticated` error, else
   * `forbidden` with reason `unknown_tool` — the same answer whether or not such a tool exists.
   * One audit event and one metrics decision are recorded, as for every call. A name that is
   * not a valid tool name is recorded as `(invalid tool name)`, never as sent.
   */
  rejectUnknownTool(
    toolName: string,
    context?: CallContext,
    options?: RejectUnknownToolOptions,
  ): Promise<UnknownToolRejection>;
  /** The audit dispatcher, when audit is configured. */
  readonly audit: AuditDispatcher | undefined;
  /** Waits until every audit event so far is delivered (or spilled / counted). */
  flush(): Promise<void>;
  /** Flushes and closes the audit sinks. */
  close(): Promise<void>;
}

/** Options of {@link Guard.rejectUnknownTool}. */
export interface RejectUnknownToolOptions {
  /** The operation the audit event records. Default `write` (MCP's default for a tool). */
  readonly operation?: OperationKind | undefined;
}

/** What {@link Guard.rejectUnknownTool} resolves with: the refusal and its decision. */
export interface UnknownToolRejection {
  readonly ok: false;
  readonly error: GuardError;
  readonly decision: Decision;
}

/** What the audit records for a tool name that is not a valid one. */
const INVALID_TOOL_NAME = '(invalid tool name)';
/** The metrics label of every call to a tool the guard does not have. */
const UNKNOWN_TOOL = '(unknown tool)';

const TOOL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-/]{0,127}$/;
const OPERATIONS = new Set(['read', 'write', 'delete']);

/**
 * Creates a guard: validates the options once and returns `guard()`, which wraps tool
 * handlers in the zero-trust pipeline (authenticate → authorize → validate → rate limit →
 * policies → before-hooks → handler → after-hooks → mask → audit).
 *
 * @example
 * const guard = createGuard({
 *   authenticator: jwtAuth({ … }),
 *   accessControl: rbac({ … }),
 *   audit: { sinks: [stdoutAuditSink()] },
 * });
 */
export function createGuard(options: GuardOptions = {}): Guard {
  const { authenticator, accessControl, policy, approvals, signer, masker, metrics } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  checkStage(authenticator, 'authenticator', 'authenticate');
  checkStage(accessControl, 'access_control', 'authorize');
  checkStage(policy, 'policy', 'evaluate');
  checkStage(approvals, 'approvals', 'consume');
  checkStage(signer, 'signer', 'forCall');
  checkStage(masker, 'masker', 'mask');
  const limits: Record<string, number> = { ...DEFAULT_INPUT_LIMITS };
  for (const [key, value] of Object.entries(options.inputLimits ?? {})) {
    if (value !== undefined) limits[key] = value;
  }
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new GuardConfigError('must be a positive integer', { path: `inputLimits.${key}` });
    }
  }
  const rateLimit: RateLimitCheck | undefined =
    options.rateLimits && options.rateLimits.length > 0
      ? createRateLimiter(options.rateLimits, options.rateLimitStore ?? new MemoryRateLimitStore())
      : undefined;
  const beforeHooks = compileHooks(options.hooks?.before ?? [], 'hooks.before');
  const afterHooks = compileHooks(options.hooks?.after ?? [], 'hooks.after');
  const audit =
    options.audit === undefined
      ? undefined
      : options.audit instanceof AuditDispatcher
        ? options.audit
        : new AuditDispatcher(options.audit, { logger, metrics });
  const recordArgs =
    options.audit !== undefined && !(options.audit instanceof AuditDispatcher)
      ? options.audit.recordArgs === true
      : false;
  const tools = new Map<string, ToolInfo>();

  const emit = metrics
    ? (event: MetricEvent): void => {
        try {
          metrics(event);
        } catch {
          // A broken listener must not break calls.
        }
      }
    : undefined;
  const stages: GuardStages = {
    authenticator,
    accessControl,
    rateLimit,
    policy,
    approvals,
    signer,
    masker,
    audit,
    recordArgs,
    emit,
    logger,
    now,
  };

  function guard<S extends z.ZodType, R>(
    toolName: string,
    definition: ToolDefinition<S>,
    handler: ToolHandler<S, R>,
  ): GuardedTool<S, Awaited<R>> {
    if (typeof toolName !== 'string' || !TOOL_NAME.test(toolName)) {
      throw new GuardConfigError('tool name must be 1-128 of [A-Za-z0-9_.-/]', {
        path: 'toolName',
      });
    }
    if (tools.has(toolName)) {
      throw new GuardConfigError(`tool ${toolName} is already guarded`, { path: 'toolName' });
    }
    // Checked at run time: JavaScript callers are not held to the types.
    const candidate = definition as unknown as { input?: { safeParse?: unknown } } | undefined;
    if (typeof candidate?.input?.safeParse !== 'function') {
      throw new GuardConfigError('input must be a zod schema', { path: `${toolName}.input` });
    }
    if (!OPERATIONS.has(definition.operation)) {
      throw new GuardConfigError('operation must be read, write or delete', {
        path: `${toolName}.operation`,
      });
    }
    if (typeof handler !== 'function') {
      throw new GuardConfigError('handler must be a function', { path: toolName });
    }
    const annotations = Object.freeze({ ...definition.annotations });
    const info: ToolInfo = Object.freeze({
      name: toolName,
      operation: definition.operation,
      annotations,
      tags: Object.freeze([...(annotations.tags ?? [])]),
      sensitivity: definition.sensitivity ?? 'internal',
    });
    const validate: InputValidator<z.output<S>> = createInputValidator(
      strictSchema(definition.input),
      limits as unknown as InputLimits,
    );
    tools.set(toolName, info);
    accessControl?.toolRegistered?.(info);

    const pipeline: ToolPipeline = {
      ...stages,
      toolName,
      info,
      validate,
      before: beforeHooks.filter((h) => h.applies(toolName)),
      after: afterHooks.filter((h) => h.applies(toolName)),
      handler: handler as ToolPipeline['handler'],
    };

    function run(
      args: unknown,
      context: CallContext = {},
    ): GuardedResult<Awaited<R>> | Promise<GuardedResult<Awaited<R>>> {
      return runPipeline(pipeline, args, context) as
        GuardedResult<Awaited<R>> | Promise<GuardedResult<Awaited<R>>>;
    }

    function execute(args: unknown, context?: CallContext): Promise<GuardedResult<Awaited<R>>> {
      try {
        const done = run(args, context);
        return done instanceof Promise ? done : Promise.resolve(done);
      } catch (error) {
        return rejection(error);
      }
    }

    const guarded = async function guardedTool(args: unknown, context?: CallContext) {
      const result = await execute(args, context);
      if (result.ok) return result.value;
      throw result.error;
    } as GuardedTool<S, Awaited<R>>;
    Object.defineProperties(guarded, {
      execute: { value: execute },
      run: { value: run },
      toolName: { value: toolName, enumerable: true },
      definition: { value: definition, enumerable: true },
      info: { value: info, enumerable: true },
    });
    return guarded;
  }

  async function authenticate(context: CallContext): Promise<StageResult<Principal>> {
    if (!authenticator) {
      return {
        ok: false,
        error: new UnauthenticatedError(undefined, { reason: 'no_authenticator' }),
      };
    }
    try {
      return await authenticator.authenticate(context);
    } catch (error) {
      logger.error('authenticator failed', { error: errorMessage(error) });
      return { ok: false, error: new InternalGuardError({ cause: error }) };
    }
  }

  async function visibleTools(principal: Principal): Promise<ToolInfo[]> {
    if (!accessControl) return [];
    const all = [...tools.values()];
    if (accessControl.visibleTools) return [...accessControl.visibleTools(principal, all)];
    const visible: ToolInfo[] = [];
    for (const tool of all) {
      const access = await accessControl.authorize(principal, tool);
      if (access.ok) visible.push(tool);
    }
    return visible;
  }

  async function rejectUnknownTool(
    toolName: string,
    context: CallContext = {},
    refusal: RejectUnknownToolOptions = {},
  ): Promise<UnknownToolRejection> {
    const startedAt = now();
    const t0 = performance.now();
    const decisionId = createDecisionId(startedAt);
    const trace = readTraceparent(context.traceparent);
    const auth = await authenticate(context);
    const timings = { authenticate: toMicroseconds(performance.now() - t0) };
    const principal = auth.ok ? auth.value : undefined;
    const error = auth.ok ? new ForbiddenError(undefined, { reason: 'unknown_tool' }) : auth.error;
    error.decisionId = decisionId;
    const operation =
      refusal.operation !== undefined && OPERATIONS.has(refusal.operation)
        ? refusal.operation
        : 'write';
    const tool: ToolInfo = {
      name: typeof toolName === 'string' && TOOL_NAME.test(toolName) ? toolName : INVALID_TOOL_NAME,
      operation,
      annotations: {},
      tags: [],
      sensitivity: 'internal',
    };
    const decision: Decision = {
      decisionId,
      traceId: trace.traceId,
      tool: tool.name,
      outcome: outcomeOf(error),
      code: error.code,
      reason: error.reason,
      stage: auth.ok ? 'authorize' : 'authenticate',
      tenantId: principal?.tenantId,
      subject: principal?.subject,
      matchedRules: [],
      matchedPolicies: [],
      obligations: emptyObligations(),
      approvalId: undefined,
      hookFailures: [],
      timings,
      latencyMs: toMicroseconds(performance.now() - t0),
    };
    if (audit) {
      const event = buildAuditEvent(decision, tool, principal, context, {
        parentSpanId: trace.parentId,
        startedAt,
        findings: undefined,
        argsDigest: undefined,
      });
      const pending = audit.enqueue(event);
      if (pending) await pending;
    }
    emit?.({
      type: 'decision',
      // Metrics are counted per registered tool only: names callers make up would grow them
      // without bound.
      tool: tools.has(tool.name) ? tool.name : UNKNOWN_TOOL,
      outcome: decision.outcome,
      code: error.code,
      tenantId: principal?.tenantId,
      latencyMs: decision.latencyMs,
      timings,
    });
    return { ok: false, error, decision };
  }

  return Object.assign(guard, {
    tools,
    authenticate,
    visibleTools,
    rejectUnknownTool,
    audit,
    flush: () => audit?.flush() ?? Promise.resolve(),
    close: () => audit?.close() ?? Promise.resolve(),
  });
}

function compileHooks(hooks: readonly Hook[], path: string): CompiledHook[] {
  const names = new Set<string>();
  return hooks.map((hook, index) => {
    // Checked at run time: hooks often come from JavaScript or from plug-ins.
    const candidate = hook as unknown as Partial<Record<keyof Hook, unknown>> | undefined;
    if (
      typeof candidate?.run !== 'function' ||
      typeof candidate.name !== 'string' ||
      !candidate.name
    ) {
      throw new GuardConfigError('a hook needs a name and a run function', {
        path: `${path}[${index}]`,
      });
    }
    if (names.has(hook.name)) {
      throw new GuardConfigError(`two hooks are named ${hook.name}`, { path: `${path}[${index}]` });
    }
    names.add(hook.name);
    if (hook.timeoutMs !== undefined && (!Number.isFinite(hook.timeoutMs) || hook.timeoutMs <= 0)) {
      throw new GuardConfigError('timeoutMs must be positive', {
        path: `${path}[${index}].timeoutMs`,
      });
    }
    if (
      candidate.failMode !== undefined &&
      candidate.failMode !== 'open' &&
      candidate.failMode !== 'closed'
    ) {
      throw new GuardConfigError("failMode must be 'open' or 'closed'", {
        path: `${path}[${index}].failMode`,
      });
    }
    return { hook, applies: hook.tools ? compileToolPatterns(hook.tools) : () => true };
  });
}

function checkStage(stage: unknown, kind: string, method: string): void {
  if (stage === undefined) return;
  const candidate = stage as { kind?: unknown } & Record<string, unknown>;
  if (candidate.kind !== kind || typeof candidate[method] !== 'function') {
    throw new GuardConfigError(`expected a stage of kind '${kind}' with ${method}()`, {
      path: kind,
    });
  }
}

/** A promise rejected with `error`, whatever was thrown. */
// eslint-disable-next-line @typescript-eslint/require-await -- async: the throw becomes the rejection
async function rejection(error: unknown): Promise<never> {
  throw error;
}
