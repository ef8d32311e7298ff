import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import {
  ApprovalInvalidError,
  ForbiddenError,
  fail,
  ok,
  type ApprovalDecision,
  type ApprovalService,
  type ApprovalWatchInput,
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

type Listener = (decision: ApprovalDecision) => void;

interface Watch {
  readonly listeners: Set<Listener>;
  timer: NodeJS.Timeout;
}

// setTimeout fires at once beyond this (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a request's status means to a watcher; undefined while it is pending. */
function decisionOf(status: ApprovalRequestView['status']): ApprovalDecision | undefined {
  switch (status) {
    case 'pending':
      return undefined;
    case 'rejected':
    case 'expired':
      return status;
    case 'approved':
    case 'used':
      return 'approved';
  }
}

/** A listener's failure is its own: it must not stop a decision or the other listeners. */
function notify(listener: Listener, decision: ApprovalDecision): void {
  try {
    listener(decision);
  } catch {
    // Nothing to undo: the decision stands.
  }
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
  /**
   * Most `onDecision` listeners waiting on one request; one more throws. Default 16 (a
   * request is one call, which an agent may follow from a few tasks at most).
   */
  readonly maxWatchersPerApproval?: number;
  /** Most `onDecision` listeners waiting in all; one more throws. Default 10,000. */
  readonly maxWatchers?: number;
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
  /**
   * Reports, once, how the request left `pending`: at once when it already has, else when an
   * approver decides or it expires. Only the requester (same tenant and subject) can watch
   * it; any other request, like an unknown id, reports `expired`. A request that was approved
   * reports `approved` even once its grant is used: `consume` then says so. Throws beyond
   * `maxWatchersPerApproval` or `maxWatchers` (the MCP adapter then ends the task
   * `approval_invalid`, reason `unwatchable`, and the agent presents the id in `_meta`).
   * Returns a function that stops watching.
   */
  onDecision(input: ApprovalWatchInput, listener: (decision: ApprovalDecision) => void): () => void;
  /** `onDecision` listeners not yet called or stopped. */
  readonly watching: number;
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
  const maxWatchersPerApproval = options.maxWatchersPerApproval ?? 16;
  const maxWatchers = options.maxWatchers ?? 10_000;
  for (const [key, value] of Object.entries({ maxWatchersPerApproval, maxWatchers })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${key} must be a positive integer`);
    }
  }
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = 'receipts-1';
  const receiptJwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256' }] };
  const entries = new Map<string, Entry>();
  // Listeners per pending request, with the one timer that reports its expiry.
  const watches = new Map<string, Watch>();
  let watching = 0;

  /** Calls every listener of `approvalId` with `decision`, and forgets them. */
  function report(approvalId: string, decision: ApprovalDecision): void {
    const watch = watches.get(approvalId);
    if (!watch) return;
    watches.delete(approvalId);
    clearTimeout(watch.timer);
    watching -= watch.listeners.size;
    for (const listener of watch.listeners) notify(listener, decision);
  }

  /** Reports `expired` once the request is, re-arming when a timer cannot reach that far. */
  function expiryTimer(e: Entry): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        const watch = watches.get(e.approvalId);
        if (!watch) return;
        const decision = decisionOf(view(e).status);
        if (decision === undefined) watch.timer = expiryTimer(e);
        else report(e.approvalId, decision);
      },
      Math.min(MAX_TIMER_MS, Math.max(0, e.expiresAtMs - Date.now()) + 1),
    );
    timer.unref();
    return timer;
  }

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

    get watching() {
      return watching;
    },

    request(input) {
      for (const [id, e] of entries) {
        if (Date.now() > e.expiresAtMs + ttlMs) {
          entries.delete(id);
          report(id, 'expired');
        }
      }
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
      report(approvalId, e.status);
      return ok(view(e));
    },

    onDecision({ approvalId, tenantId, subject }, listener) {
      const e = entries.get(approvalId);
      // Someone else's request reads like one that does not exist.
      if (!e || e.tenantId !== tenantId || e.requester !== subject) {
        notify(listener, 'expired');
        return () => {};
      }
      const decided = decisionOf(view(e).status);
      if (decided !== undefined) {
        notify(listener, decided);
        return () => {};
      }
      let watch = watches.get(approvalId);
      if ((watch?.listeners.size ?? 0) >= maxWatchersPerApproval || watching >= maxWatchers) {
        throw new Error('approval desk: too many listeners waiting for decisions');
      }
      if (!watch) {
        watch = { listeners: new Set(), timer: expiryTimer(e) };
        watches.set(approvalId, watch);
      }
      // A wrapper per call: the same function watching twice is two listeners, stopped apart.
      const own = (decision: ApprovalDecision): void => listener(decision);
      watch.listeners.add(own);
      watching += 1;
      return () => {
        const current = watches.get(approvalId);
        if (!current?.listeners.delete(own)) return;
        watching -= 1;
        if (current.listeners.size === 0) {
          clearTimeout(current.timer);
          watches.delete(approvalId);
        }
      };
    },

    pending(approver) {
      return [...entries.values()]
        .filter((e) => e.tenantId === approver.tenantId && view(e).status === 'pending')
        .map(view);
    },
  };
}
