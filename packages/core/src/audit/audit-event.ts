import { z } from 'zod';
import { ERROR_CODES, type GuardErrorCode } from '../errors.js';

const codes = Object.keys(ERROR_CODES) as [GuardErrorCode, ...GuardErrorCode[]];

/**
 * One audit event per guarded call, whatever its outcome. It never contains a token, a
 * secret, or raw arguments unless `audit.recordArgs` is on (and then masked).
 */
export const auditEventSchema = z
  .strictObject({
    /** Schema version of this event. */
    version: z.literal(1),
    /** UUIDv7 of the decision; sorts by time. */
    decisionId: z.string(),
    /** W3C trace id (32 hex digits), inherited from `traceparent` when one was received. */
    traceId: z.string().regex(/^[0-9a-f]{32}$/),
    /** Span id of the caller, when a valid `traceparent` was received. */
    parentSpanId: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional(),
    /** When the call arrived, ISO 8601 UTC. */
    time: z.iso.datetime(),
    /** Tool name. */
    tool: z.string(),
    /** `read`, `write` or `delete`. */
    operation: z.enum(['read', 'write', 'delete']),
    /** `allowed`: the handler ran and returned. `rejected`: a stage refused. `error`: failure. */
    outcome: z.enum(['allowed', 'rejected', 'error']),
    /** Error code when not allowed. */
    code: z.enum(codes).optional(),
    /** Machine-readable detail of the rejection (for example `expired`, a rate-limit id). */
    reason: z.string().optional(),
    /** The stage that rejected or failed. */
    stage: z.string().optional(),
    /** Tenant of the principal (absent when authentication failed). */
    tenantId: z.string().optional(),
    /** Subject of the principal (absent when authentication failed). */
    subject: z.string().optional(),
    /** Which authenticator produced the principal. */
    authenticatedBy: z.string().optional(),
    /** The calling agent, when the caller is one. */
    agent: z
      .strictObject({
        id: z.string(),
        sponsor: z.string().optional(),
        riskTier: z.string().optional(),
      })
      .optional(),
    /** The actor of a delegated token (RFC 8693 `act`). */
    actor: z.strictObject({ subject: z.string() }).optional(),
    /** Token id (`jti`), never the token. */
    tokenId: z.string().optional(),
    /** Client IP address as the adapter saw it. */
    clientIp: z.string().optional(),
    /** Client country (ISO 3166-1 alpha-2), when known. */
    country: z.string().optional(),
    /** User agent, cut to 256 characters. */
    userAgent: z.string().optional(),
    /** Ids of the access-control rules that allowed the call. */
    matchedRules: z.array(z.string()),
    /** Policies that matched, with version, action and whether they were in monitor mode. */
    matchedPolicies: z.array(
      z.strictObject({
        id: z.string(),
        version: z.union([z.string(), z.number()]).optional(),
        action: z.string(),
        scope: z.string().optional(),
        monitor: z.boolean(),
        decisive: z.boolean().optional(),
      }),
    ),
    /** Obligations that applied: masking profiles, step-up, approval flow, hook annotations. */
    obligations: z.strictObject({
      maskProfiles: z.array(z.string()),
      stepUp: z
        .strictObject({
          acrValues: z.array(z.string()).optional(),
          maxAge: z.number().optional(),
          scopes: z.array(z.string()).optional(),
        })
        .optional(),
      approvalFlow: z.string().optional(),
      annotations: z.record(z.string(), z.unknown()),
    }),
    /** Approval id, when the call required or consumed one. */
    approvalId: z.string().optional(),
    /** Hooks that rejected or failed, with the fail mode that applied. */
    hookFailures: z.array(
      z.strictObject({
        hook: z.string(),
        phase: z.enum(['before', 'after']),
        kind: z.enum(['rejected', 'error', 'timeout']),
        failMode: z.enum(['open', 'closed']),
        bypassed: z.boolean(),
      }),
    ),
    /** SHA-256 of the canonical JSON of the arguments (base64url), when they were JSON. */
    argsDigest: z.string().optional(),
    /** The validated arguments, masked; only when `audit.recordArgs` is on. */
    args: z.unknown().optional(),
    /** What masking found in the result: counts per category, never values. */
    masking: z
      .strictObject({ total: z.number(), byCategory: z.record(z.string(), z.number()) })
      .optional(),
    /** Milliseconds from arrival to the end of the pipeline, to the microsecond. */
    latencyMs: z.number(),
    /** Milliseconds per stage that ran, to the microsecond. */
    timings: z.record(z.string(), z.number()),
  })
  .describe('AgentGuard audit event');

/** One audit event (see {@link auditEventSchema} for every field). */
export type AuditEvent = z.output<typeof auditEventSchema>;
