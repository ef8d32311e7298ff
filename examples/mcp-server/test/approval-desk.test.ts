import type { ApprovalDecision, Principal, ToolInfo } from '@agentguard/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApprovalDesk, type ApprovalDesk, type ApprovalDeskOptions } from '../src/index.js';

const requester: Principal = {
  subject: 'user:ada',
  tenantId: 'acme',
  roles: ['payments'],
  permissions: [],
  scopes: [],
  authLevel: {},
  claims: {},
  authenticatedBy: 'test',
};
const approver: Principal = { ...requester, subject: 'user:grace', roles: ['approver'] };
const tool: ToolInfo = {
  name: 'payments.transfer',
  operation: 'write',
  annotations: {},
  tags: [],
  sensitivity: 'internal',
};
const DIGEST = 'd'.repeat(43);
const owner = { tenantId: requester.tenantId, subject: requester.subject };

async function open(desk: ApprovalDesk): Promise<string> {
  const ticket = await desk.request({
    decisionId: 'dec-1',
    flowId: 'finance',
    principal: requester,
    tool,
    args: {},
    argsDigest: DIGEST,
  });
  return ticket.approvalId;
}

function desk(options: Partial<ApprovalDeskOptions> = {}): Promise<ApprovalDesk> {
  return createApprovalDesk({ issuer: 'https://approvals.test', ...options });
}

/** A listener that records what it heard. */
function recorder(): { heard: ApprovalDecision[]; listener: (d: ApprovalDecision) => void } {
  const heard: ApprovalDecision[] = [];
  return { heard, listener: (decision) => heard.push(decision) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('approval desk: onDecision', () => {
  it("reports the approver's decision once to every listener of the request", async () => {
    const approvals = await desk();
    const approvalId = await open(approvals);
    const a = recorder();
    const b = recorder();
    approvals.onDecision({ approvalId, ...owner }, a.listener);
    const stopB = approvals.onDecision({ approvalId, ...owner }, b.listener);
    expect(approvals.watching).toBe(2);
    expect(a.heard).toEqual([]);

    expect(approvals.decide(approvalId, approver, 'approve').ok).toBe(true);
    expect(a.heard).toEqual(['approved']);
    expect(b.heard).toEqual(['approved']);
    expect(approvals.watching).toBe(0);
    stopB(); // after the report: nothing happens
    expect(approvals.watching).toBe(0);
    // The grant is still taken through consume, once.
    const grant = await approvals.consume({
      approvalId,
      principal: requester,
      tool,
      argsDigest: DIGEST,
    });
    expect(grant.ok).toBe(true);
  });

  it('reports a rejection', async () => {
    const approvals = await desk();
    const approvalId = await open(approvals);
    const a = recorder();
    approvals.onDecision({ approvalId, ...owner }, a.listener);
    approvals.decide(approvalId, approver, 'reject');
    expect(a.heard).toEqual(['rejected']);
  });

  it('answers at once for a request that is already decided, used or expired', async () => {
    vi.useFakeTimers();
    const approvals = await desk({ ttlMs: 1_000 });
    const approved = await open(approvals);
    approvals.decide(approved, approver, 'approve');
    const rejected = await open(approvals);
    approvals.decide(rejected, approver, 'reject');
    const used = await open(approvals);
    approvals.decide(used, approver, 'approve');
    await approvals.consume({ approvalId: used, principal: requester, tool, argsDigest: DIGEST });
    const expiring = await open(approvals);
    vi.advanceTimersByTime(1_001);

    for (const [approvalId, decision] of [
      [approved, 'approved'],
      [rejected, 'rejected'],
      [used, 'approved'], // consume then answers `approval_invalid` (used)
      [expiring, 'expired'],
    ] as const) {
      const a = recorder();
      const stop = approvals.onDecision({ approvalId, ...owner }, a.listener);
      expect({ approvalId, heard: a.heard }).toEqual({ approvalId, heard: [decision] });
      stop();
    }
    expect(approvals.watching).toBe(0);
  });

  it("reports someone else's request as expired, like an unknown one, and keeps nothing", async () => {
    const approvals = await desk();
    const approvalId = await open(approvals);
    for (const input of [
      { approvalId, tenantId: 'globex', subject: requester.subject },
      { approvalId, tenantId: requester.tenantId, subject: 'user:mallory' },
      { approvalId: 'apr_unknown', ...owner },
    ]) {
      const a = recorder();
      approvals.onDecision(input, a.listener);
      expect(a.heard).toEqual(['expired']);
    }
    expect(approvals.watching).toBe(0);
    // The requester's own request is still pending, and decided as usual.
    const mine = recorder();
    approvals.onDecision({ approvalId, ...owner }, mine.listener);
    approvals.decide(approvalId, approver, 'approve');
    expect(mine.heard).toEqual(['approved']);
  });

  it('reports expiry when no one decides in time', async () => {
    vi.useFakeTimers();
    const approvals = await desk({ ttlMs: 60_000 });
    const approvalId = await open(approvals);
    const a = recorder();
    approvals.onDecision({ approvalId, ...owner }, a.listener);
    vi.advanceTimersByTime(59_000);
    expect(a.heard).toEqual([]);
    vi.advanceTimersByTime(2_000);
    expect(a.heard).toEqual(['expired']);
    expect(approvals.watching).toBe(0);
    // Approvers can no longer decide it.
    expect(approvals.decide(approvalId, approver, 'approve')).toMatchObject({ ok: false });
  });

  it('reports expiry beyond the longest timer Node can set', async () => {
    vi.useFakeTimers();
    const ttlMs = 30 * 24 * 60 * 60_000; // 30 days: more than a single setTimeout reaches
    const approvals = await desk({ ttlMs });
    const approvalId = await open(approvals);
    const a = recorder();
    approvals.onDecision({ approvalId, ...owner }, a.listener);
    vi.advanceTimersByTime(2 ** 31);
    expect(a.heard).toEqual([]);
    vi.advanceTimersByTime(ttlMs - 2 ** 31 + 1_000);
    expect(a.heard).toEqual(['expired']);
  });

  it('stops: a stopped listener hears nothing and frees its place', async () => {
    vi.useFakeTimers();
    const approvals = await desk({ ttlMs: 1_000 });
    const approvalId = await open(approvals);
    const a = recorder();
    const b = recorder();
    const stopA = approvals.onDecision({ approvalId, ...owner }, a.listener);
    const stopB = approvals.onDecision({ approvalId, ...owner }, b.listener);
    stopA();
    stopA();
    expect(approvals.watching).toBe(1);
    stopB();
    expect(approvals.watching).toBe(0);
    expect(vi.getTimerCount()).toBe(0); // the expiry timer went with the last listener
    approvals.decide(approvalId, approver, 'approve');
    expect([...a.heard, ...b.heard]).toEqual([]);
  });

  it('the same function watching twice is two listeners, stopped apart', async () => {
    const approvals = await desk();
    const approvalId = await open(approvals);
    const a = recorder();
    const stop = approvals.onDecision({ approvalId, ...owner }, a.listener);
    approvals.onDecision({ approvalId, ...owner }, a.listener);
    stop();
    approvals.decide(approvalId, approver, 'approve');
    expect(a.heard).toEqual(['approved']);
  });

  it('bounds listeners per request and in total: one more throws, a freed place is reusable', async () => {
    const approvals = await desk({ maxWatchersPerApproval: 2, maxWatchers: 3 });
    const first = await open(approvals);
    const second = await open(approvals);
    const watch = (approvalId: string) => approvals.onDecision({ approvalId, ...owner }, () => {});
    const stop = watch(first);
    watch(first);
    expect(() => watch(first)).toThrow(/too many listeners/);
    watch(second);
    expect(() => watch(second)).toThrow(/too many listeners/);
    expect(approvals.watching).toBe(3);
    stop();
    expect(() => watch(second)).not.toThrow();
    expect(approvals.watching).toBe(3);
    // A decided request frees its places.
    approvals.decide(first, approver, 'approve');
    expect(approvals.watching).toBe(2);
    // Answered at once, a decided request takes no place.
    expect(() => watch(first)).not.toThrow();
  });

  it('keeps a decision when a listener throws, and still tells the others', async () => {
    const approvals = await desk();
    const approvalId = await open(approvals);
    const a = recorder();
    approvals.onDecision({ approvalId, ...owner }, () => {
      throw new Error('listener bug');
    });
    approvals.onDecision({ approvalId, ...owner }, a.listener);
    expect(approvals.decide(approvalId, approver, 'approve').ok).toBe(true);
    expect(a.heard).toEqual(['approved']);
  });

  it('refuses bounds that are not positive integers', async () => {
    await expect(desk({ maxWatchers: 0 })).rejects.toThrow(RangeError);
    await expect(desk({ maxWatchersPerApproval: 1.5 })).rejects.toThrow(RangeError);
  });
});
