import type { AuditDispatcher } from './audit/audit-dispatcher.js';
import type { AuditEvent } from './audit/audit-event.js';
import { buildAuditEvent, withRecordedArgs } from './audit/build-audit-event.js';
import type { CallContext } from './call-context.js';
import { digestArgs } from './canonical-json.js';
import type { GuardedResult, HandlerContext } from './create-guard.js';
import { outcomeOf, type Decision, type HookFailure, type Outcome } from './decision.js';
import { createDecisionId } from './decision-id.js';
import {
  ApprovalRequiredError,
  ForbiddenError,
  HandlerError,
  STAGE_NAMES,
  InternalGuardError,
  UnauthenticatedError,
  isGuardError,
  type GuardError,
  type StageName,
} from './errors.js';
import type { Hook } from './hooks/hook.js';
import { runHook, type HookRun } from './hooks/run-hook.js';
import type { Logger } from './logger.js';
import type { MetricEvent } from './metrics.js';
import { emptyObligations, mergeObligations, type MutableObligations } from './obligations.js';
import type { Principal } from './principal.js';
import type { RateLimitCheck, RateLimitInfo } from './rate-limit/rate-limiter.js';
import type { StageResult } from './result.js';
import type {
  AccessControl,
  ApprovalGrant,
  ApprovalService,
  Authenticator,
  MaskFindings,
  Masker,
  PolicyEngine,
  PolicyMatch,
  SignerProvider,
} from './stages.js';
import type { ToolInfo } from './tool.js';
import type { ToolMatcher } from './tool-pattern.js';
import { readTraceparent } from './trace-context.js';
import type { InputValidator } from './validation/validate-input.js';

/** A hook with the matcher of the tools it applies to. */
export interface CompiledHook {
  readonly hook: Hook;
  readonly applies: ToolMatcher;
}

/** The stages of one guard, shared by its tools: {@link createGuard}'s options, checked. */
export interface GuardStages {
  readonly authenticator: Authenticator | undefined;
  readonly accessControl: AccessControl | undefined;
  readonly rateLimit: RateLimitCheck | undefined;
  readonly policy: PolicyEngine | undefined;
  readonly approvals: ApprovalService | undefined;
  readonly signer: SignerProvider | undefined;
  readonly masker: Masker | undefined;
  readonly audit: AuditDispatcher | undefined;
  /** `audit.recordArgs`: the audit event keeps what masking leaves of the arguments. */
  readonly recordArgs: boolean;
  /** The metrics listener, behind a guard that swallows its errors. */
  readonly emit: ((event: MetricEvent) => void) | undefined;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Everything a call of one guarded tool runs through: the guard's stages and the tool's. */
export interface ToolPipeline extends GuardStages {
  readonly toolName: string;
  readonly info: ToolInfo;
  readonly validate: InputValidator<unknown>;
  /** The before- and after-hooks that apply to this tool. */
  readonly before: readonly CompiledHook[];
  readonly after: readonly CompiledHook[];
  readonly handler: (args: unknown, context: HandlerContext) => unknown;
}

// The steps of a call: indexes of STAGE_NAMES, the stage each reports when it refuses or
// throws; `DECIDED` once no stage is left to run.
const AUTHENTICATE = 0;
const AUTHORIZE = 1;
const VALIDATE = 2;
const RATE_LIMIT = 3;
const POLICY = 4;
const APPROVAL = 5;
const BEFORE_HOOKS = 6;
const HANDLER = 7;
const AFTER_HOOKS = 8;
const MASK = 9;
const DECIDED = 10;

/** "No answer yet": the step must call its stage (a settled promise brings the answer). */
const NONE: unique symbol = Symbol('none');

const NO_MATCHES: readonly never[] = Object.freeze([]);

/**
 * Runs one call through `pipeline`. Answers synchronously as long as every stage does (a
 * cached token, in-memory limits, a synchronous handler): no promise, no microtask and no
 * async function frame — an async function keeps every local of the call in a heap object,
 * whether or not it ever awaits. Continues on a promise only where a stage returns one.
 * Throws only what the audit dispatcher or the logger throws; a stage that throws is a refusal.
 */
export function runPipeline(
  pipeline: ToolPipeline,
  args: unknown,
  context: CallContext,
): GuardedResult<unknown> | Promise<GuardedResult<unknown>> {
  return advance(new PipelineRun(pipeline, args, context), NONE);
}

/** The state of one call as it steps through the pipeline. */
class PipelineRun {
  readonly startedAt: number;
  readonly t0: number;
  /** When the last stage ended: each stage's timing is measured from here. */
  mark: number;
  readonly decisionId: string;
  readonly traceId: string;
  readonly parentSpanId: string | undefined;
  readonly timings: Partial<Record<StageName, number>> = {};
  readonly obligations: MutableObligations = emptyObligations();
  readonly hookFailures: HookFailure[] = [];
  step = AUTHENTICATE;
  /** True from the handler's call until it answered: what throws then is the handler's. */
  inHandler = false;
  /** The next hook to run, within the hook steps. */
  hookIndex = 0;
  hookCall: HookCall | undefined = undefined;
  principal: Principal | undefined = undefined;
  matchedRules: readonly string[] = NO_MATCHES;
  matchedPolicies: readonly PolicyMatch[] = NO_MATCHES;
  validArgs: unknown = undefined;
  validated = false;
  rateLimit: RateLimitInfo | undefined = undefined;
  approvalId: string | undefined = undefined;
  grant: ApprovalGrant | undefined = undefined;
  /** The handler's result; masked by the mask step. */
  result: unknown = undefined;
  findings: MaskFindings | undefined = undefined;
  failure: GuardError | undefined = undefined;
  failedStage: StageName | undefined = undefined;

  constructor(
    readonly pipeline: ToolPipeline,
    readonly args: unknown,
    readonly context: CallContext,
  ) {
    this.startedAt = pipeline.now();
    this.t0 = performance.now();
    this.mark = this.t0;
    this.decisionId = createDecisionId(this.startedAt);
    const trace = readTraceparent(context.traceparent);
    this.traceId = trace.traceId;
    this.parentSpanId = trace.parentId;
  }

  /** Milliseconds since the last mark, to the microsecond; the mark moves to now. */
  lap(): number {
    const now = performance.now();
    const elapsed = toMicroseconds(now - this.mark);
    this.mark = now;
    return elapsed;
  }

  /** The current step refuses the call: no further stage runs. */
  refuse(error: GuardError): undefined {
    this.failure = error;
    this.failedStage = STAGE_NAMES[this.step];
    this.step = DECIDED;
    return undefined;
  }

  /** The current step threw (or its promise rejected). */
  thrown(error: unknown): void {
    const stage = STAGE_NAMES[this.step];
    if (this.inHandler) {
      this.inHandler = false;
      this.timings.handler = this.lap();
      // A handler may refuse with a GuardError of its own (row-level checks); anything else
      // stays on the server.
      if (!isGuardError(error)) {
        this.pipeline.logger.error('tool handler failed', {
          tool: this.pipeline.toolName,
          decisionId: this.decisionId,
          error: errorMessage(error),
        });
      }
      this.refuse(isGuardError(error) ? error : new HandlerError({ cause: error }));
      return;
    }
    // A stage threw instead of returning a result: refuse (fail closed). A GuardError thrown
    // on purpose (a masker refusing an oversized value) keeps its code and reason.
    if (!isGuardError(error)) {
      this.pipeline.logger.error('guard stage failed', {
        tool: this.pipeline.toolName,
        decisionId: this.decisionId,
        stage,
        error: errorMessage(error),
      });
    }
    this.refuse(isGuardError(error) ? error : new InternalGuardError({ cause: error }));
  }
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

/**
 * Steps `run` through the stages from its current step, `answer` being what the promise of
 * that step settled with (or {@link NONE}), then decides.
 */
function advance(
  run: PipelineRun,
  answer: unknown,
): GuardedResult<unknown> | Promise<GuardedResult<unknown>> {
  try {
    while (run.step !== DECIDED) {
      const pending = step(run, answer);
      if (pending !== undefined) return wait(run, pending);
      answer = NONE;
    }
  } catch (error) {
    run.thrown(error);
  }
  return decide(run);
}

function wait(run: PipelineRun, pending: PromiseLike<unknown>): Promise<GuardedResult<unknown>> {
  // `Promise.resolve` adopts any thenable (query builders of some ORMs are thenables).
  return Promise.resolve(pending).then(
    (answer) => advance(run, answer),
    (error: unknown) => {
      run.thrown(error);
      return decide(run);
    },
  );
}

/**
 * Runs the stage of `run.step` (or takes `answer`, what its promise settled with), records
 * the outcome and moves to the next step. Returns the promise to wait for when the stage
 * answered with one. Each stage's timing has a store of its own (one store site for every
 * stage name would be a megamorphic keyed store).
 */
function step(run: PipelineRun, answer: unknown): PromiseLike<unknown> | undefined {
  const pipeline = run.pipeline;
  switch (run.step) {
    case AUTHENTICATE: {
      const authenticator = pipeline.authenticator;
      if (!authenticator) {
        return run.refuse(new UnauthenticatedError(undefined, { reason: 'no_authenticator' }));
      }
      const auth =
        answer === NONE
          ? authenticator.authenticate(run.context)
          : (answer as StageResult<Principal>);
      if (auth instanceof Promise) return auth;
      run.timings.authenticate = run.lap();
      if (!auth.ok) return run.refuse(auth.error);
      run.principal = auth.value;
      run.step = AUTHORIZE;
      return undefined;
    }
    case AUTHORIZE: {
      const accessControl = pipeline.accessControl;
      if (!accessControl) {
        return run.refuse(new ForbiddenError(undefined, { reason: 'no_access_control' }));
      }
      const access =
        answer === NONE
          ? accessControl.authorize(run.principal!, pipeline.info)
          : (answer as Awaited<ReturnType<AccessControl['authorize']>>);
      if (access instanceof Promise) return access;
      run.timings.authorize = run.lap();
      if (!access.ok) return run.refuse(access.error);
      run.matchedRules = access.value.matchedRules;
      run.step = VALIDATE;
      return undefined;
    }
    case VALIDATE: {
      const parsed = pipeline.validate(run.args);
      run.timings.validate = run.lap();
      if (!parsed.ok) return run.refuse(parsed.error);
      run.validArgs = parsed.value;
      run.validated = true;
      run.step = RATE_LIMIT;
      return undefined;
    }
    case RATE_LIMIT: {
      const rateLimit = pipeline.rateLimit;
      if (rateLimit) {
        const limited =
          answer === NONE
            ? rateLimit(run.principal!, pipeline.toolName, run.startedAt)
            : (answer as Awaited<ReturnType<RateLimitCheck>>);
        if (limited instanceof Promise) return limited;
        run.timings.rate_limit = run.lap();
        if (!limited.ok) return run.refuse(limited.error);
        run.rateLimit = limited.value;
      }
      run.step = POLICY;
      return undefined;
    }
    case POLICY: {
      const policy = pipeline.policy;
      if (policy) {
        const outcome =
          answer === NONE
            ? policy.evaluate({
                principal: run.principal!,
                tool: pipeline.info,
                args: run.validArgs,
                context: run.context,
                now: run.startedAt,
              })
            : (answer as Awaited<ReturnType<PolicyEngine['evaluate']>>);
        if (outcome instanceof Promise) return outcome;
        run.timings.policy = run.lap();
        run.matchedPolicies = outcome.matched;
        if (!outcome.ok) return run.refuse(outcome.error);
        if (outcome.obligations) mergeObligations(run.obligations, outcome.obligations);
      }
      run.step = run.obligations.approval ? APPROVAL : BEFORE_HOOKS;
      return undefined;
    }
    case APPROVAL:
      return approvalStep(run, answer);
    case BEFORE_HOOKS:
      return hookStep(run, answer, 'before');
    case HANDLER: {
      let result = answer;
      if (answer === NONE) {
        // Made first: a throw here (a signer provider's) is the guard's, not the handler's.
        const context = handlerContext(run);
        run.inHandler = true;
        result = pipeline.handler(run.validArgs, context);
        // Any thenable is awaited; a synchronous handler's value is used as is.
        if (isThenable(result)) return result;
      }
      run.inHandler = false;
      run.timings.handler = run.lap();
      run.result = result;
      run.step = AFTER_HOOKS;
      return undefined;
    }
    case AFTER_HOOKS:
      return hookStep(run, answer, 'after');
    case MASK: {
      const masker = pipeline.masker;
      if (masker) {
        const masked =
          answer === NONE
            ? masker.mask(run.result, {
                target: 'result',
                tool: pipeline.info,
                principal: run.principal!,
                profiles: run.obligations.maskProfiles,
              })
            : (answer as Awaited<ReturnType<Masker['mask']>>);
        if (masked instanceof Promise) return masked;
        run.timings.mask = run.lap();
        run.result = masked.value;
        run.findings = masked.findings;
      }
      run.step = DECIDED;
      return undefined;
    }
    default:
      throw new Error(`no pipeline step ${run.step}`);
  }
}

/** The approval a policy required: consumes the one the call presents, or requests one. */
function approvalStep(run: PipelineRun, answer: unknown): PromiseLike<unknown> | undefined {
  const approvals = run.pipeline.approvals;
  const approvalId = run.context.approvalId;
  if (answer === NONE) {
    const argsDigest = digestArgs(run.validArgs);
    if (!approvals) {
      return run.refuse(new ApprovalRequiredError(undefined, { reason: 'no_approval_service' }));
    }
    if (approvalId !== undefined) {
      run.approvalId = approvalId;
      answer = approvals.consume({
        approvalId,
        principal: run.principal!,
        tool: run.pipeline.info,
        argsDigest,
      });
    } else {
      answer = approvals.request({
        decisionId: run.decisionId,
        flowId: run.obligations.approval!.flowId,
        principal: run.principal!,
        tool: run.pipeline.info,
        args: run.validArgs,
        argsDigest,
      });
    }
    if (isThenable(answer)) return answer;
  }
  run.timings.approval = run.lap();
  if (approvalId !== undefined) {
    const consumed = answer as Awaited<ReturnType<ApprovalService['consume']>>;
    if (!consumed.ok) return run.refuse(consumed.error);
    run.grant = consumed.value;
    run.step = BEFORE_HOOKS;
    return undefined;
  }
  const ticket = answer as Awaited<ReturnType<ApprovalService['request']>>;
  run.approvalId = ticket.approvalId;
  return run.refuse(new ApprovalRequiredError(ticket.approvalId, { expiresAt: ticket.expiresAt }));
}

/** Runs the next hook of the phase; moves to the next step after the last one. */
function hookStep(
  run: PipelineRun,
  answer: unknown,
  phase: 'before' | 'after',
): PromiseLike<unknown> | undefined {
  const pipeline = run.pipeline;
  const hooks = phase === 'before' ? pipeline.before : pipeline.after;
  if (run.hookIndex < hooks.length) {
    // What the hooks see of this call: made only when hooks apply.
    const call = (run.hookCall ??= {
      decisionId: run.decisionId,
      principal: run.principal!,
      tool: pipeline.info,
      args: run.validArgs,
      context: run.context,
      obligations: run.obligations,
      hookFailures: run.hookFailures,
    });
    const hook = hooks[run.hookIndex]!.hook;
    const rejected =
      answer === NONE
        ? applyHook(pipeline, hook, phase, call, phase === 'after' ? run.result : undefined)
        : (answer as GuardError | undefined);
    if (rejected instanceof Promise) return rejected;
    if (rejected) {
      if (phase === 'before') run.timings.before_hooks = run.lap();
      else run.timings.after_hooks = run.lap();
      return run.refuse(rejected);
    }
    run.hookIndex += 1;
    return undefined;
  }
  if (hooks.length > 0) {
    if (phase === 'before') run.timings.before_hooks = run.lap();
    else run.timings.after_hooks = run.lap();
  }
  run.hookIndex = 0;
  run.step = phase === 'before' ? HANDLER : MASK;
  return undefined;
}

/** What the handler receives besides its arguments. */
function handlerContext(run: PipelineRun): HandlerContext {
  const pipeline = run.pipeline;
  const principal = run.principal!;
  const grant = run.grant;
  return {
    principal,
    decisionId: run.decisionId,
    traceId: run.traceId,
    tool: pipeline.info,
    call: run.context,
    signer: pipeline.signer?.forCall({
      subject: principal.subject,
      tenantId: principal.tenantId,
      roles: principal.roles,
      agentId: principal.agent?.id,
      decisionId: run.decisionId,
      tool: pipeline.toolName,
      approvalReceipt: grant?.receipt,
    }),
    approval: grant,
    obligations: run.obligations,
    rateLimit: run.rateLimit,
  };
}

/** Runs one hook of a call; a failure is recorded in the call's `hookFailures`. */
function applyHook(
  pipeline: ToolPipeline,
  hook: Hook,
  phase: 'before' | 'after',
  call: HookCall,
  result: unknown,
): GuardError | undefined | Promise<GuardError | undefined> {
  const hookRun = runHook(hook, {
    phase,
    decisionId: call.decisionId,
    principal: call.principal,
    tool: call.tool,
    args: call.args,
    context: call.context,
    obligations: call.obligations,
    result,
  });
  return hookRun instanceof Promise
    ? hookRun.then((done) => judgeHookRun(pipeline, hook, phase, call, done))
    : judgeHookRun(pipeline, hook, phase, call, hookRun);
}

function judgeHookRun(
  pipeline: ToolPipeline,
  hook: Hook,
  phase: 'before' | 'after',
  call: HookCall,
  hookRun: HookRun,
): GuardError | undefined {
  if (hookRun.status === 'passed') {
    const verdict = hookRun.verdict;
    if (verdict && verdict.action === 'allow' && verdict.obligations) {
      mergeObligations(call.obligations, verdict.obligations);
    }
    return undefined;
  }
  const failMode = hook.failMode ?? 'closed';
  const kind = hookRun.status === 'rejected' ? 'rejected' : hookRun.kind;
  const bypassed = kind !== 'rejected' && failMode === 'open';
  call.hookFailures.push({ hook: hook.name, phase, kind, failMode, bypassed });
  pipeline.emit?.({ type: 'hook_failure', hook: hook.name, phase, kind, failMode });
  if (kind !== 'rejected') {
    pipeline.logger.warn('hook failed', {
      hook: hook.name,
      kind,
      failMode,
      decisionId: call.decisionId,
      error: errorMessage(hookRun.error.cause),
    });
  }
  return bypassed ? undefined : hookRun.error;
}

/** The stages are over: the decision, its audit event and its metrics. */
function decide(run: PipelineRun): GuardedResult<unknown> | Promise<GuardedResult<unknown>> {
  const pipeline = run.pipeline;
  const failure = run.failure;
  const principal = run.principal;
  if (failure) failure.decisionId = run.decisionId;
  const outcome: Outcome = failure === undefined ? 'allowed' : outcomeOf(failure);
  const decision: Decision = {
    decisionId: run.decisionId,
    traceId: run.traceId,
    tool: pipeline.toolName,
    outcome,
    code: failure?.code,
    reason: failure?.reason,
    stage: run.failedStage,
    tenantId: principal?.tenantId,
    subject: principal?.subject,
    matchedRules: run.matchedRules,
    matchedPolicies: run.matchedPolicies,
    obligations: run.obligations,
    approvalId: run.approvalId,
    hookFailures: run.hookFailures,
    timings: run.timings,
    latencyMs: toMicroseconds(performance.now() - run.t0),
  };
  const audit = pipeline.audit;
  if (!audit) return conclude(run, decision);
  let argsDigest: string | undefined;
  if (run.validated) {
    try {
      argsDigest = digestArgs(run.validArgs);
    } catch {
      argsDigest = undefined;
    }
  }
  let event: AuditEvent | Promise<AuditEvent> = buildAuditEvent(
    decision,
    pipeline.info,
    principal,
    run.context,
    {
      parentSpanId: run.parentSpanId,
      startedAt: run.startedAt,
      findings: run.findings,
      argsDigest,
    },
  );
  if (pipeline.recordArgs && run.validated) {
    event = withRecordedArgs(event, run.validArgs, pipeline.masker, {
      target: 'args',
      tool: pipeline.info,
      principal,
      profiles: run.obligations.maskProfiles,
    });
  }
  return event instanceof Promise
    ? event.then((done) => deliver(run, audit, decision, done))
    : deliver(run, audit, decision, event);
}

function deliver(
  run: PipelineRun,
  audit: AuditDispatcher,
  decision: Decision,
  event: AuditEvent,
): GuardedResult<unknown> | Promise<GuardedResult<unknown>> {
  const pending = audit.enqueue(event);
  return pending ? pending.then(() => conclude(run, decision)) : conclude(run, decision);
}

function conclude(run: PipelineRun, decision: Decision): GuardedResult<unknown> {
  const failure = run.failure;
  run.pipeline.emit?.({
    type: 'decision',
    tool: run.pipeline.toolName,
    outcome: decision.outcome,
    code: failure?.code,
    tenantId: decision.tenantId,
    latencyMs: decision.latencyMs,
    timings: run.timings,
  });
  return failure === undefined
    ? { ok: true, value: run.result, decision }
    : { ok: false, error: failure, decision };
}

/**
 * Milliseconds rounded to the microsecond: finer digits of `performance.now()` differences
 * are noise, and a number with three decimals is cheaper to write in every audit line.
 */
export function toMicroseconds(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
