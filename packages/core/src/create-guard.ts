import type { z } from 'zod';
import { AuditDispatcher, type AuditOptions } from './audit/audit-dispatcher.js';
import type { AuditEvent } from './audit/audit-event.js';
import { isoTime } from './audit/iso-time.js';
import type { CallContext } from './call-context.js';
import { digestArgs } from './canonical-json.js';
import type { Decision, HookFailure, Outcome } from './decision.js';
import { createDecisionId } from './decision-id.js';
import {
  ApprovalRequiredError,
  ForbiddenError,
  GuardConfigError,
  HandlerError,
  InternalGuardError,
  UnauthenticatedError,
  isGuardError,
  type GuardError,
  type StageName,
} from './errors.js';
import type { Hook } from './hooks/hook.js';
import { runHook, type HookRun } from './hooks/run-hook.js';
import { silentLogger, type Logger } from './logger.js';
import type { MetricEvent, MetricsListener } from './metrics.js';
import {
  emptyObligations,
  mergeObligations,
  type MutableObligations,
  type Obligations,
} from './obligations.js';
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
  MaskContext,
  MaskFindings,
  Masker,
  PolicyEngine,
  PolicyMatch,
  SignerProvider,
} from './stages.js';
import type { OperationKind, ToolDefinition, ToolInfo } from './tool.js';
import { compileToolPatterns, type ToolMatcher } from './tool-pattern.js';
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

interface CompiledHook {
  readonly hook: Hook;
  readonly applies: ToolMatcher;
}

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

  /** Runs one hook of a call; a failure is recorded in the call's `hookFailures`. */
  function applyHook(
    hook: Hook,
    phase: 'before' | 'after',
    call: HookCall,
    result: unknown,
  ): GuardError | undefined | Promise<GuardError | undefined> {
    const run = runHook(hook, {
      phase,
      decisionId: call.decisionId,
      principal: call.principal,
      tool: call.tool,
      args: call.args,
      context: call.context,
      obligations: call.obligations,
      result,
    });
    return run instanceof Promise
      ? run.then((done) => judgeHookRun(hook, phase, call, done))
      : judgeHookRun(hook, phase, call, run);
  }

  function judgeHookRun(
    hook: Hook,
    phase: 'before' | 'after',
    call: HookCall,
    run: HookRun,
  ): GuardError | undefined {
    if (run.status === 'passed') {
      const verdict = run.verdict;
      if (verdict && verdict.action === 'allow' && verdict.obligations) {
        mergeObligations(call.obligations, verdict.obligations);
      }
      return undefined;
    }
    const failMode = hook.failMode ?? 'closed';
    const kind = run.status === 'rejected' ? 'rejected' : run.kind;
    const bypassed = kind !== 'rejected' && failMode === 'open';
    call.hookFailures.push({ hook: hook.name, phase, kind, failMode, bypassed });
    emit?.({ type: 'hook_failure', hook: hook.name, phase, kind, failMode });
    if (kind !== 'rejected') {
      logger.warn('hook failed', {
        hook: hook.name,
        kind,
        failMode,
        decisionId: call.decisionId,
        error: errorMessage(run.error.cause),
      });
    }
    return bypassed ? undefined : run.error;
  }

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
    const before = beforeHooks.filter((h) => h.applies(toolName));
    const after = afterHooks.filter((h) => h.applies(toolName));
    tools.set(toolName, info);
    accessControl?.toolRegistered?.(info);

    async function execute(
      args: unknown,
      context: CallContext = {},
    ): Promise<GuardedResult<Awaited<R>>> {
      const startedAt = now();
      const t0 = performance.now();
      let mark = t0;
      const decisionId = createDecisionId(startedAt);
      const trace = readTraceparent(context.traceparent);
      const timings: Partial<Record<StageName, number>> = {};
      const obligations: MutableObligations = emptyObligations();
      const hookFailures: HookFailure[] = [];
      let matchedRules: readonly string[] = [];
      let matchedPolicies: readonly PolicyMatch[] = [];
      let principal: Principal | undefined;
      let validArgs: z.output<S> | undefined;
      let validated = false;
      let approvalId: string | undefined;
      let findings: MaskFindings | undefined;
      let failure: GuardError | undefined;
      let failedStage: StageName | undefined;
      let value: Awaited<R> | undefined;
      // The stage running now, for errors thrown (rather than returned) by a stage.
      let current: StageName = 'authenticate';

      // No closures in here: a closure would keep this call's variables in a context object
      // allocated per call. `timings.<stage> = lapTime(mark, (mark = performance.now()))` is
      // the time since the last mark (arguments are read left to right), a named store per
      // stage (one store site for every stage name would be a megamorphic keyed store).

      try {
        run: {
          // 1. Authenticate.
          if (!authenticator) {
            failure = new UnauthenticatedError(undefined, { reason: 'no_authenticator' });
            failedStage = 'authenticate';
            break run;
          }
          let auth = authenticator.authenticate(context);
          if (auth instanceof Promise) auth = await auth;
          timings.authenticate = lapTime(mark, (mark = performance.now()));
          if (!auth.ok) {
            failure = auth.error;
            failedStage = 'authenticate';
            break run;
          }
          principal = auth.value;

          // 2. Access control.
          current = 'authorize';
          if (!accessControl) {
            failure = new ForbiddenError(undefined, { reason: 'no_access_control' });
            failedStage = 'authorize';
            break run;
          }
          let access = accessControl.authorize(principal, info);
          if (access instanceof Promise) access = await access;
          timings.authorize = lapTime(mark, (mark = performance.now()));
          if (!access.ok) {
            failure = access.error;
            failedStage = 'authorize';
            break run;
          }
          matchedRules = access.value.matchedRules;

          // 3. Validate input.
          current = 'validate';
          const parsed = validate(args);
          timings.validate = lapTime(mark, (mark = performance.now()));
          if (!parsed.ok) {
            failure = parsed.error;
            failedStage = 'validate';
            break run;
          }
          validArgs = parsed.value;
          validated = true;

          // 4. Rate limit.
          current = 'rate_limit';
          let rateInfo: RateLimitInfo | undefined;
          if (rateLimit) {
            let limited = rateLimit(principal, toolName, startedAt);
            if (limited instanceof Promise) limited = await limited;
            timings.rate_limit = lapTime(mark, (mark = performance.now()));
            if (!limited.ok) {
              failure = limited.error;
              failedStage = 'rate_limit';
              break run;
            }
            rateInfo = limited.value;
          }

          // 5. Policies, and the approval they may require.
          current = 'policy';
          if (policy) {
            let outcome = policy.evaluate({
              principal,
              tool: info,
              args: validArgs,
              context,
              now: startedAt,
            });
            if (outcome instanceof Promise) outcome = await outcome;
            timings.policy = lapTime(mark, (mark = performance.now()));
            matchedPolicies = outcome.matched;
            if (!outcome.ok) {
              failure = outcome.error;
              failedStage = 'policy';
              break run;
            }
            if (outcome.obligations) mergeObligations(obligations, outcome.obligations);
          }
          let grant: ApprovalGrant | undefined;
          if (obligations.approval) {
            current = 'approval';
            const argsDigest = digestArgs(validArgs);
            if (!approvals) {
              failure = new ApprovalRequiredError(undefined, { reason: 'no_approval_service' });
              failedStage = 'approval';
              break run;
            }
            if (context.approvalId !== undefined) {
              approvalId = context.approvalId;
              const consumed = await approvals.consume({
                approvalId: context.approvalId,
                principal,
                tool: info,
                argsDigest,
              });
              timings.approval = lapTime(mark, (mark = performance.now()));
              if (!consumed.ok) {
                failure = consumed.error;
                failedStage = 'approval';
                break run;
              }
              grant = consumed.value;
            } else {
              const ticket = await approvals.request({
                decisionId,
                flowId: obligations.approval.flowId,
                principal,
                tool: info,
                args: validArgs,
                argsDigest,
              });
              timings.approval = lapTime(mark, (mark = performance.now()));
              approvalId = ticket.approvalId;
              failure = new ApprovalRequiredError(ticket.approvalId, {
                expiresAt: ticket.expiresAt,
              });
              failedStage = 'approval';
              break run;
            }
          }

          // 6. Before-hooks.
          current = 'before_hooks';
          // What the hooks see of this call: made only when hooks apply.
          const hookCall: HookCall | undefined =
            before.length > 0 || after.length > 0
              ? {
                  decisionId,
                  principal,
                  tool: info,
                  args: validArgs,
                  context,
                  obligations,
                  hookFailures,
                }
              : undefined;
          for (const { hook } of before) {
            let rejected = applyHook(hook, 'before', hookCall!, undefined);
            if (rejected instanceof Promise) rejected = await rejected;
            if (rejected) {
              timings.before_hooks = lapTime(mark, (mark = performance.now()));
              failure = rejected;
              failedStage = 'before_hooks';
              break run;
            }
          }
          if (before.length > 0) timings.before_hooks = lapTime(mark, (mark = performance.now()));

          // 7. The handler.
          current = 'handler';
          const handlerContext: HandlerContext = {
            principal,
            decisionId,
            traceId: trace.traceId,
            tool: info,
            call: context,
            signer: signer?.forCall({
              subject: principal.subject,
              tenantId: principal.tenantId,
              roles: principal.roles,
              agentId: principal.agent?.id,
              decisionId,
              tool: toolName,
              approvalReceipt: grant?.receipt,
            }),
            approval: grant,
            obligations,
            rateLimit: rateInfo,
          };
          let result: Awaited<R>;
          try {
            // A synchronous handler's value is used as is: no microtask for nothing to wait on.
            // Any thenable is awaited (query builders of some ORMs are thenables, not Promises).
            const returned = handler(validArgs, handlerContext);
            result = (isThenable(returned) ? await returned : returned) as Awaited<R>;
          } catch (error) {
            timings.handler = lapTime(mark, (mark = performance.now()));
            // A handler may refuse with a GuardError of its own (row-level checks); anything
            // else stays on the server.
            failure = isGuardError(error) ? error : new HandlerError({ cause: error });
            failedStage = 'handler';
            if (!isGuardError(error)) {
              logger.error('tool handler failed', {
                tool: toolName,
                decisionId,
                error: errorMessage(error),
              });
            }
            break run;
          }
          timings.handler = lapTime(mark, (mark = performance.now()));

          // 8. After-hooks.
          current = 'after_hooks';
          for (const { hook } of after) {
            let rejected = applyHook(hook, 'after', hookCall!, result);
            if (rejected instanceof Promise) rejected = await rejected;
            if (rejected) {
              timings.after_hooks = lapTime(mark, (mark = performance.now()));
              failure = rejected;
              failedStage = 'after_hooks';
              break run;
            }
          }
          if (after.length > 0) timings.after_hooks = lapTime(mark, (mark = performance.now()));

          // 9. Mask the result.
          current = 'mask';
          if (masker) {
            let masked = masker.mask(result, {
              target: 'result',
              tool: info,
              principal,
              profiles: obligations.maskProfiles,
            });
            if (masked instanceof Promise) masked = await masked;
            timings.mask = lapTime(mark, (mark = performance.now()));
            result = masked.value as Awaited<R>;
            findings = masked.findings;
          }
          value = result;
        }
      } catch (error) {
        // A stage threw instead of returning a result: refuse (fail closed). A GuardError
        // thrown on purpose (a masker refusing an oversized value) keeps its code and reason.
        if (isGuardError(error)) {
          failure = error;
          failedStage = current;
        } else {
          logger.error('guard stage failed', {
            tool: toolName,
            decisionId,
            stage: current,
            error: errorMessage(error),
          });
          failure = new InternalGuardError({ cause: error });
          failedStage = current;
        }
      }

      if (failure) failure.decisionId = decisionId;
      const latencyMs = toMicroseconds(performance.now() - t0);
      const outcome: Outcome = failure === undefined ? 'allowed' : outcomeOf(failure);
      const decision: Decision = {
        decisionId,
        traceId: trace.traceId,
        tool: toolName,
        outcome,
        code: failure?.code,
        reason: failure?.reason,
        stage: failedStage,
        tenantId: principal?.tenantId,
        subject: principal?.subject,
        matchedRules,
        matchedPolicies,
        obligations,
        approvalId,
        hookFailures,
        timings,
        latencyMs,
      };

      if (audit) {
        let argsDigest: string | undefined;
        if (validated) {
          try {
            argsDigest = digestArgs(validArgs);
          } catch {
            argsDigest = undefined;
          }
        }
        let event: AuditEvent | Promise<AuditEvent> = buildAuditEvent(
          decision,
          info,
          principal,
          context,
          { parentSpanId: trace.parentId, startedAt, findings, argsDigest },
        );
        if (recordArgs && validated) {
          event = withRecordedArgs(event, validArgs, masker, {
            target: 'args',
            tool: info,
            principal,
            profiles: obligations.maskProfiles,
          });
        }
        // Awaited only when masking the recorded arguments went async: an await of a plain
        // value still costs a turn of the microtask queue.
        if (event instanceof Promise) event = await event;
        const pending = audit.enqueue(event);
        if (pending) await pending;
      }
      emit?.({
        type: 'decision',
        tool: toolName,
        outcome,
        code: failure?.code,
        tenantId: principal?.tenantId,
        latencyMs,
        timings,
      });

      return failure === undefined
        ? { ok: true, value: value as Awaited<R>, decision }
        : { ok: false, error: failure, decision };
    }

    const guarded = async function guardedTool(args: unknown, context?: CallContext) {
      const result = await execute(args, context);
      if (result.ok) return result.value;
      throw result.error;
    } as GuardedTool<S, Awaited<R>>;
    Object.defineProperties(guarded, {
      execute: { value: execute },
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

/** What the hooks of one call see of it. */
interface HookCall {
  readonly decisionId: string;
  readonly principal: Principal;
  readonly tool: ToolInfo;
  readonly args: unknown;
  readonly context: CallContext;
  readonly obligations: MutableObligations;
  readonly hookFailures: HookFailure[];
}

/** Milliseconds from `from` to `to`, rounded to the microsecond. */
function lapTime(from: number, to: number): number {
  return toMicroseconds(to - from);
}

/**
 * Milliseconds rounded to the microsecond: finer digits of `performance.now()` differences
 * are noise, and a number with three decimals is cheaper to write in every audit line.
 */
function toMicroseconds(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** What {@link buildAuditEvent} needs besides the decision, the tool, the caller and the call. */
interface AuditFacts {
  readonly parentSpanId: string | undefined;
  readonly startedAt: number;
  readonly findings: MaskFindings | undefined;
  readonly argsDigest: string | undefined;
}

/** The audit event of a decision, without the recorded arguments. */
function buildAuditEvent(
  decision: Decision,
  tool: ToolInfo,
  principal: Principal | undefined,
  context: CallContext,
  facts: AuditFacts,
): AuditEvent {
  // One literal with every key, absent ones undefined: every event has the same shape, which
  // keeps construction and serialisation fast; JSON serialisation drops the undefined keys.
  const agent = principal?.agent;
  const obligations = decision.obligations;
  const findings = facts.findings;
  const event: Record<keyof AuditEvent, unknown> = {
    version: 1,
    decisionId: decision.decisionId,
    traceId: decision.traceId,
    parentSpanId: facts.parentSpanId,
    time: isoTime(facts.startedAt),
    tool: decision.tool,
    operation: tool.operation,
    outcome: decision.outcome,
    code: decision.code,
    reason: decision.reason,
    stage: decision.stage,
    tenantId: principal?.tenantId,
    subject: principal?.subject,
    authenticatedBy: principal?.authenticatedBy,
    agent: agent && { id: agent.id, sponsor: agent.sponsor, riskTier: agent.riskTier },
    actor: principal?.actor && { subject: principal.actor.subject },
    tokenId: principal?.tokenId,
    clientIp: context.ip,
    country: context.country,
    userAgent: context.userAgent?.slice(0, 256),
    // Sinks receive events read-only: per-call arrays are not copied.
    matchedRules: decision.matchedRules,
    matchedPolicies: decision.matchedPolicies,
    obligations: {
      maskProfiles: obligations.maskProfiles,
      annotations: obligations.annotations,
      stepUp: obligations.stepUp && stepUpRecord(obligations.stepUp),
      approvalFlow: obligations.approval?.flowId,
    },
    approvalId: decision.approvalId,
    hookFailures: decision.hookFailures,
    argsDigest: facts.argsDigest,
    args: undefined,
    masking: findings && { total: findings.total, byCategory: { ...findings.byCategory } },
    latencyMs: decision.latencyMs,
    timings: decision.timings,
  };
  return event as AuditEvent;
}

/** `event` with the validated arguments (`audit.recordArgs`): what masking leaves of them, or nothing. */
function withRecordedArgs(
  event: AuditEvent,
  args: unknown,
  masker: Masker | undefined,
  maskContext: MaskContext,
): AuditEvent | Promise<AuditEvent> {
  const record = event as { args?: unknown };
  if (!masker) {
    record.args = args;
    return event;
  }
  try {
    const masked = masker.mask(args, maskContext);
    if (!(masked instanceof Promise)) {
      record.args = masked.value;
      return event;
    }
    return masked.then(
      (m) => ({ ...event, args: m.value }),
      () => ({ ...event, args: '[unavailable: masking failed]' }),
    );
  } catch {
    record.args = '[unavailable: masking failed]';
    return event;
  }
}

function outcomeOf(error: GuardError): Outcome {
  return error.code === 'handler_error' || error.code === 'internal_error' ? 'error' : 'rejected';
}

function stepUpRecord(challenge: {
  readonly acrValues?: readonly string[];
  readonly maxAge?: number;
  readonly scopes?: readonly string[];
}): { acrValues?: string[]; maxAge?: number; scopes?: string[] } {
  const out: { acrValues?: string[]; maxAge?: number; scopes?: string[] } = {};
  if (challenge.acrValues) out.acrValues = [...challenge.acrValues];
  if (challenge.maxAge !== undefined) out.maxAge = challenge.maxAge;
  if (challenge.scopes) out.scopes = [...challenge.scopes];
  return out;
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
