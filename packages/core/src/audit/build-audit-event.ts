import type { CallContext } from '../call-context.js';
import type { Decision } from '../decision.js';
import type { Principal } from '../principal.js';
import type { MaskContext, MaskFindings, Masker } from '../stages.js';
import type { ToolInfo } from '../tool.js';
import type { AuditEvent } from './audit-event.js';
import { ownString } from '../own-string.js';
import { isoTime } from './iso-time.js';

/** What {@link buildAuditEvent} needs besides the decision, the tool, the caller and the call. */
export interface AuditFacts {
  readonly parentSpanId: string | undefined;
  readonly startedAt: number;
  readonly findings: MaskFindings | undefined;
  readonly argsDigest: string | undefined;
}

/** The audit event of a decision, without the recorded arguments. */
export function buildAuditEvent(
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
    clientIp: context.ip === undefined ? undefined : ownString(context.ip),
    country: context.country,
    userAgent:
      context.userAgent === undefined ? undefined : ownString(context.userAgent.slice(0, 256)),
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
export function withRecordedArgs(
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
