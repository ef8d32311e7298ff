import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import {
  ApprovalInvalidError,
  ForbiddenError,
  fail,
  ok,
  type ApprovalService,
  type Principal,
  type StageResult,
} from '@agentguard/core';

/** One approval request, as approvers see it (the arguments are already masked). */
export interface ApprovalRequestView {
  readonly approvalId: string;
  readonly tenantId: string;
  readonly requester: string;
  readonly tool: string;
  readonly argsDigest: string;
  readonly flowId: string;
  readonly status: 'pending' | 'approved' | 'rejected' | 'used' | 'expired';
  readonly expiresAt: string;
  readonly approvers: readonly string[];
}

interface Entry extends Omit<ApprovalRequestView, 'status' | 'approvers'> {
  status: ApprovalRequestView['status'];
  approvers: string[];
  expiresAtMs: number;
}

/** Options of {@link createApprovalDesk}. */
export interface ApprovalDeskOptions {
  /** Issuer written into receipts. */
  readonly issuer: string;
  /** How long a request waits for a decision. Default 15 minutes. */
  readonly ttlMs?: number;
  /** Most open requests kept; further requests are refused. Default 10,000. */
  readonly maxOpen?: number;
  /** The role an approver needs on the approvers' plane. Default `approver`. */
  readonly approverRole?: string;
}

/** A single-step approval service with signed receipts. */
export interface ApprovalDesk extends ApprovalService {
  /** The public key backends verify receipts with. */
  readonly receiptJwks: JSONWebKeySet;
  /** Approve or reject, as an approver authenticated on the approvers' plane. */
  decide(
    approvalId: string,
    approver: Principal,
    decision: 'approve' | 'reject',
  ): StageResult<ApprovalRequestView>;
  /** The open requests of the approver's tenant. */
  pending(approver: Principal): ApprovalRequestView[];
}

/**
 * A deliberately small approval service for the example: one step, one approver, in memory.
 * It keeps the rules that matter: tenant isolation, separation of duties (nobody approves
 * their own request), expiry, arguments bound by digest, single-use grants, and a signed
 * receipt (JWS, ES256) that the backend verifies offline. Multi-step flows, quorum and shared
 * storage are what `@agentguard/approvals` is for.
 */
export async function createApprovalDesk(options: ApprovalDeskOptions): Promise<ApprovalDesk> {
  const ttlMs = options.ttlMs ?? 15 * 60_000;
  const maxOpen = options.maxOpen ?? 10_000;
  const approverRole = options.approverRole ?? 'approver';
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = 'receipts-1';
  const receiptJwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256' }] };
  const entries = new Map<string, Entry>();

  function view(e: Entry): ApprovalRequestView {
    if (e.status === 'pending' && Date.now() > e.expiresAtMs) e.status = 'expired';
    return {
      approvalId: e.approvalId,
      tenantId: e.tenantId,
      requester: e.requester,
      tool: e.tool,
      argsDigest: e.argsDigest,
      flowId: e.flowId,
      status: e.status,
      expiresAt: e.expiresAt,
      approvers: [...e.approvers],
    };
  }

  return {
    kind: 'approvals',
    name: 'example-approval-desk',
    receiptJwks,

    request(input) {
      for (const [id, e] of entries) if (Date.now() > e.expiresAtMs + ttlMs) entries.delete(id);
      if (entries.size >= maxOpen) return Promise.reject(new Error('approval desk is full'));
      const approvalId = `apr_${randomUUID()}`;
      const expiresAtMs = Date.now() + ttlMs;
      entries.set(approvalId, {
        approvalId,
        tenantId: input.principal.tenantId,
        requester: input.principal.subject,
        tool: input.tool.name,
        argsDigest: input.argsDigest,
        flowId: input.flowId,
        status: 'pending',
        approvers: [],
        expiresAt: new Date(expiresAtMs).toISOString(),
        expiresAtMs,
      });
      return Promise.resolve({ approvalId, expiresAt: new Date(expiresAtMs).toISOString() });
    },

    async consume(input) {
      const e = entries.get(input.approvalId);
      // Unknown, other tenant, other requester, other tool or other arguments: all the same
      // answer, so a caller cannot probe for approvals that are not theirs.
      if (
        !e ||
        e.tenantId !== input.principal.tenantId ||
        e.requester !== input.principal.subject ||
        e.tool !== input.tool.name ||
        e.argsDigest !== input.argsDigest
      ) {
        return fail(new ApprovalInvalidError(undefined, { reason: 'not_found' }));
      }
      const status = view(e).status;
      if (status !== 'approved') {
        return fail(new ApprovalInvalidError(`approval is ${status}`, { reason: status }));
      }
      e.status = 'used'; // synchronous check-and-set: single use within this process
      const receipt = await new SignJWT({
        approvalId: e.approvalId,
        tool: e.tool,
        argsDigest: e.argsDigest,
        tenantId: e.tenantId,
        approvers: e.approvers,
      })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'agentguard-receipt+jwt' })
        .setIssuer(options.issuer)
        .setSubject(e.requester)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      return ok({ approvalId: e.approvalId, receipt });
    },

    decide(approvalId, approver, decision) {
      const e = entries.get(approvalId);
      if (!e || e.tenantId !== approver.tenantId) {
        return fail(new ForbiddenError('no such approval request', { reason: 'not_found' }));
      }
      if (!approver.roles.includes(approverRole)) {
        return fail(new ForbiddenError('approver role required', { reason: 'not_an_approver' }));
      }
      if (e.requester === approver.subject) {
        return fail(
          new ForbiddenError('you cannot approve your own request', {
            reason: 'separation_of_duties',
          }),
        );
      }
      if (view(e).status !== 'pending') {
        return fail(new ForbiddenError(`request is ${e.status}`, { reason: e.status }));
      }
      e.approvers.push(approver.subject);
      e.status = decision === 'approve' ? 'approved' : 'rejected';
      return ok(view(e));
    },

    pending(approver) {
      return [...entries.values()]
        .filter((e) => e.tenantId === approver.tenantId && view(e).status === 'pending')
        .map(view);
    },
  };
}
