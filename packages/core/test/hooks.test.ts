import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  HookFailedError,
  allowAllAccess,
  anonymousAuthenticator,
  createGuard,
  createMetricsRecorder,
  memoryAuditSink,
  testHook,
  type Hook,
} from '@agentguard/core';
import { sleep } from './helpers.js';

const def = { input: z.object({ amount: z.number() }), operation: 'write' as const };

function build(hooks: { before?: Hook[]; after?: Hook[] }) {
  const sink = memoryAuditSink();
  const metrics = createMetricsRecorder();
  const guard = createGuard({
    authenticator: anonymousAuthenticator(),
    accessControl: allowAllAccess(),
    hooks,
    audit: { sinks: [sink] },
    metrics: metrics.listener,
  });
  let ran = 0;
  const tool = guard('pay', def, ({ amount }, ctx) => {
    ran += 1;
    return { amount, annotations: ctx.obligations.annotations };
  });
  return { guard, sink, metrics, tool, ran: () => ran };
}

describe('hooks', () => {
  it('a before-hook can reject with a message; the handler never runs', async () => {
    const { tool, ran, sink, guard } = build({
      before: [
        {
          name: 'limit',
          run: ({ args }) =>
            (args as { amount: number }).amount > 10
              ? { action: 'reject', message: 'amount over hook limit' }
              : undefined,
        },
      ],
    });
    const result = await tool.execute({ amount: 11 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(HookFailedError);
    expect(result.error.status).toBe(403);
    expect(result.error.message).toBe('amount over hook limit');
    expect(ran()).toBe(0);
    await guard.flush();
    expect(sink.events[0]?.hookFailures).toEqual([
      { hook: 'limit', phase: 'before', kind: 'rejected', failMode: 'closed', bypassed: false },
    ]);
  });

  it('a reject verdict refuses even in fail-open mode', async () => {
    const { tool } = build({
      before: [{ name: 'r', failMode: 'open', run: () => ({ action: 'reject' }) }],
    });
    await expect(tool({ amount: 1 })).rejects.toMatchObject({ code: 'hook_failed', status: 403 });
  });

  it('fail-closed: a throwing or slow hook refuses with 503', async () => {
    const { tool, ran, metrics } = build({
      before: [{ name: 'slow', timeoutMs: 20, run: () => sleep(1000) }],
    });
    const result = await tool.execute({ amount: 1 });
    expect(!result.ok && result.error.status).toBe(503);
    expect(!result.ok && result.error.reason).toBe('timeout');
    expect(ran()).toBe(0);
    const thrower = build({
      before: [
        {
          name: 'boom',
          run: () => {
            throw new Error('internal detail');
          },
        },
      ],
    });
    const r2 = await thrower.tool.execute({ amount: 1 });
    expect(!r2.ok && r2.error.reason).toBe('error');
    expect(JSON.stringify(!r2.ok && r2.error.toJSON())).not.toContain('internal detail');
    expect(metrics.snapshot().hookFailures).toBe(1);
  });

  it('fail-open: the call goes on and the failure is audited as bypassed', async () => {
    const { tool, ran, sink, guard } = build({
      before: [{ name: 'flaky', failMode: 'open', run: () => Promise.reject(new Error('down')) }],
    });
    await expect(tool({ amount: 1 })).resolves.toMatchObject({ amount: 1 });
    expect(ran()).toBe(1);
    await guard.flush();
    expect(sink.events[0]).toMatchObject({
      outcome: 'allowed',
      hookFailures: [{ hook: 'flaky', kind: 'error', failMode: 'open', bypassed: true }],
    });
  });

  it('hooks add obligations; after-hooks see the result and can refuse it', async () => {
    const seen: unknown[] = [];
    const { tool, sink, guard } = build({
      before: [
        {
          name: 'tag',
          run: () => ({
            action: 'allow',
            obligations: { annotations: { ticket: 'T-1' }, maskProfiles: ['pci'] },
          }),
        },
      ],
      after: [
        {
          name: 'check-result',
          run: ({ result }) => {
            seen.push(result);
            return (result as { amount: number }).amount > 5
              ? { action: 'reject', message: 'result too large' }
              : undefined;
          },
        },
      ],
    });
    await expect(tool({ amount: 1 })).resolves.toEqual({
      amount: 1,
      annotations: { ticket: 'T-1' },
    });
    await expect(tool({ amount: 6 })).rejects.toMatchObject({
      code: 'hook_failed',
      message: 'result too large',
    });
    expect(seen).toHaveLength(2);
    await guard.flush();
    expect(sink.events[0]?.obligations).toMatchObject({
      maskProfiles: ['pci'],
      annotations: { ticket: 'T-1' },
    });
    expect(sink.events[1]).toMatchObject({
      stage: 'after_hooks',
      hookFailures: [{ phase: 'after', kind: 'rejected' }],
    });
  });

  it('hooks can target tools by pattern', async () => {
    const guard = createGuard({
      authenticator: anonymousAuthenticator(),
      accessControl: allowAllAccess(),
      hooks: {
        before: [
          { name: 'payments-only', tools: ['payments.*'], run: () => ({ action: 'reject' }) },
        ],
      },
    });
    const pay = guard('payments.send', def, () => 1);
    const read = guard('crm.read', def, () => 2);
    await expect(pay({ amount: 1 })).rejects.toThrow();
    await expect(read({ amount: 1 })).resolves.toBe(2);
  });

  it('validates hooks at construction', () => {
    expect(() =>
      createGuard({ hooks: { before: [{ name: '', run: () => undefined }] } }),
    ).toThrow();
    expect(() =>
      createGuard({
        hooks: {
          before: [
            { name: 'a', run: () => undefined },
            { name: 'a', run: () => undefined },
          ],
        },
      }),
    ).toThrow(/two hooks/);
    expect(() =>
      createGuard({ hooks: { after: [{ name: 'a', timeoutMs: 0, run: () => undefined }] } }),
    ).toThrow();
    expect(() =>
      createGuard({
        hooks: { after: [{ name: 'a', failMode: 'maybe' as 'open', run: () => undefined }] },
      }),
    ).toThrow(/failMode/);
  });

  it('an unknown verdict counts as a failure', async () => {
    const { tool } = build({
      before: [{ name: 'odd', run: () => ({ action: 'maybe' }) as never }],
    });
    await expect(tool({ amount: 1 })).rejects.toMatchObject({ status: 503 });
  });
});

describe('testHook', () => {
  it('reports outcome, effect and duration for each kind of result', async () => {
    const passing: Hook = {
      name: 'p',
      run: () => ({ action: 'allow', obligations: { maskProfiles: ['x'] } }),
    };
    const rejecting: Hook = { name: 'r', run: () => ({ action: 'reject', message: 'nope' }) };
    const slow: Hook = { name: 's', timeoutMs: 10, failMode: 'open', run: () => sleep(500) };
    const broken: Hook = {
      name: 'b',
      run: () => {
        throw new Error('bad config');
      },
    };
    const sample = { tool: 'payments.transfer', args: { amount: 5 } };
    expect(await testHook(passing, sample)).toMatchObject({
      outcome: 'passed',
      effect: 'allow',
      obligations: { maskProfiles: ['x'] },
    });
    expect(await testHook(rejecting, sample)).toMatchObject({
      outcome: 'rejected',
      effect: 'reject',
      message: 'nope',
    });
    const timed = await testHook(slow, sample);
    expect(timed).toMatchObject({ outcome: 'timeout', effect: 'allow', failMode: 'open' });
    expect(timed.durationMs).toBeGreaterThanOrEqual(9);
    expect(await testHook(broken, sample)).toMatchObject({
      outcome: 'error',
      effect: 'reject',
      message: 'bad config',
    });
  });
});
