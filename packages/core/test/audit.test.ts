import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AuditDispatcher,
  ForbiddenError,
  auditEventSchema,
  createGuard,
  createMetricsRecorder,
  fail,
  memoryAuditSink,
  ok,
  stdoutAuditSink,
  type AuditEvent,
  type AuditSink,
} from '@agentguard/core';
import { principal, sleep, tableAuthenticator } from './helpers.js';

const SECRET_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl';

function event(i: number): AuditEvent {
  return {
    version: 1,
    decisionId: `d-${i}`,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    time: new Date(0).toISOString(),
    tool: 't',
    operation: 'read',
    outcome: 'allowed',
    matchedRules: [],
    matchedPolicies: [],
    obligations: { maskProfiles: [], annotations: {} },
    hookFailures: [],
    latencyMs: 0,
    timings: {},
  };
}

/** A sink that fails while `down` is true, like a SIEM endpoint during an outage. */
function flakySink(name = 'flaky') {
  const received: AuditEvent[] = [];
  const state = { down: true, attempts: 0 };
  const sink: AuditSink = {
    name,
    write(events) {
      state.attempts += 1;
      if (state.down) return Promise.reject(new Error('503 from SIEM'));
      received.push(...events);
      return Promise.resolve();
    },
  };
  return { sink, received, state };
}

describe('one audit event per call, for every outcome', () => {
  it('audits 1,000 concurrent calls exactly once each, none lost', async () => {
    const sink = memoryAuditSink();
    const guard = createGuard({
      authenticator: tableAuthenticator({
        [SECRET_TOKEN]: principal(),
        other: principal({ roles: [] }),
      }),
      accessControl: {
        kind: 'access_control',
        name: 'r',
        authorize: (p) =>
          p.roles.length > 0 ? ok({ matchedRules: ['r1'] }) : fail(new ForbiddenError()),
      },
      audit: { sinks: [sink], maxQueue: 64, batchSize: 50 },
      hooks: {
        before: [
          {
            name: 'h',
            run: async ({ args }) =>
              (args as { n: number }).n % 7 === 0 ? { action: 'reject' } : undefined,
          },
        ],
      },
    });
    const tool = guard(
      't',
      { input: z.object({ n: z.number() }), operation: 'read' },
      async ({ n }) => {
        await sleep(n % 3);
        if (n % 11 === 0) throw new Error('handler failure');
        return n;
      },
    );
    const calls = Array.from({ length: 1000 }, (_, n) => {
      const context =
        n % 5 === 0 ? { token: 'other' } : n % 13 === 0 ? {} : { token: SECRET_TOKEN };
      const args = n % 17 === 0 ? { n: 'bad' } : { n };
      return tool.execute(args, context);
    });
    const results = await Promise.all(calls);
    await guard.flush();
    expect(sink.events).toHaveLength(1000);
    const ids = new Set(sink.events.map((e) => e.decisionId));
    expect(ids.size).toBe(1000);
    for (const r of results) expect(ids.has(r.decision.decisionId)).toBe(true);
    const outcomes = new Set(sink.events.map((e) => e.code ?? e.outcome));
    expect(outcomes).toEqual(
      new Set([
        'allowed',
        'forbidden',
        'unauthenticated',
        'invalid_input',
        'hook_failed',
        'handler_error',
      ]),
    );
    for (const e of sink.events) auditEventSchema.parse(e);
    expect(JSON.stringify(sink.events)).not.toContain(SECRET_TOKEN);
    expect(guard.audit?.stats()).toMatchObject({ delivered: 1000, dropped: 0, lost: 0 });
  });
});

describe('queue full', () => {
  it('drop-oldest discards, counts and reports', async () => {
    const metrics = createMetricsRecorder();
    const sink = memoryAuditSink();
    const d = new AuditDispatcher(
      { sinks: [sink], maxQueue: 10, onFull: 'drop-oldest' },
      { metrics: metrics.listener },
    );
    for (let i = 0; i < 25; i++) void d.enqueue(event(i));
    await d.flush();
    expect(sink.events.map((e) => e.decisionId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `d-${i + 15}`),
    );
    expect(d.stats()).toMatchObject({ dropped: 15, delivered: 10 });
    expect(metrics.snapshot().audit.queueFull).toBe(15);
  });

  it('block makes the caller wait for room and loses nothing', async () => {
    const sink = memoryAuditSink();
    const d = new AuditDispatcher({ sinks: [sink], maxQueue: 5, batchSize: 2, onFull: 'block' });
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      const p = d.enqueue(event(i));
      if (p) pending.push(p);
    }
    expect(pending.length).toBe(45);
    await Promise.all(pending);
    await d.flush();
    expect(sink.events.map((e) => e.decisionId)).toEqual(
      Array.from({ length: 50 }, (_, i) => `d-${i}`),
    );
  });

  it('spill writes overflow to disk and replays it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ag-spill-'));
    const sink = memoryAuditSink();
    const d = new AuditDispatcher({ sinks: [sink], maxQueue: 5, onFull: 'spill', spillDir: dir });
    for (let i = 0; i < 12; i++) void d.enqueue(event(i));
    expect(readFileSync(join(dir, 'overflow.jsonl'), 'utf8').trim().split('\n')).toHaveLength(7);
    await d.flush();
    expect(new Set(sink.events.map((e) => e.decisionId)).size).toBe(12);
    expect(existsSync(join(dir, 'overflow.jsonl'))).toBe(false);
    expect(d.stats()).toMatchObject({ spilled: 7, replayed: 7, lost: 0 });
  });

  it('spill needs a spill folder', () => {
    expect(() => new AuditDispatcher({ sinks: [], onFull: 'spill' })).toThrow(/spillDir/);
  });
});

describe('failing sinks', () => {
  it('retries with backoff and delivers once the sink recovers', async () => {
    const { sink, received, state } = flakySink();
    const d = new AuditDispatcher({ sinks: [sink], retry: { attempts: 5, baseDelayMs: 5 } });
    void d.enqueue(event(1));
    setTimeout(() => (state.down = false), 12);
    await d.flush();
    expect(received.map((e) => e.decisionId)).toEqual(['d-1']);
    expect(state.attempts).toBeGreaterThan(1);
    expect(d.stats().retries).toBeGreaterThan(0);
  });

  it('spills what a sink still refuses, and replays it to that sink later (even after a restart)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ag-sink-spill-'));
    const good = memoryAuditSink({ name: 'good' });
    const flaky = flakySink('siem');
    const d = new AuditDispatcher({
      sinks: [good, flaky.sink],
      spillDir: dir,
      retry: { attempts: 2, baseDelayMs: 1 },
    });
    for (let i = 0; i < 3; i++) void d.enqueue(event(i));
    await d.flush();
    expect(good.events).toHaveLength(3);
    expect(flaky.received).toHaveLength(0);
    expect(readdirSync(dir)).toEqual(['sink-siem.jsonl']);
    expect(d.stats()).toMatchObject({ spilled: 3, lost: 0 });

    // A new process (new dispatcher, same folder) replays once the sink is back.
    flaky.state.down = false;
    const restarted = new AuditDispatcher({ sinks: [good, flaky.sink], spillDir: dir });
    void restarted.enqueue(event(3));
    await restarted.flush();
    expect(flaky.received.map((e) => e.decisionId).sort()).toEqual(['d-0', 'd-1', 'd-2', 'd-3']);
    expect(good.events).toHaveLength(4);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('without a spill folder, undeliverable events are counted lost and reported', async () => {
    const metrics = createMetricsRecorder();
    const warnings: string[] = [];
    const flaky = flakySink();
    const d = new AuditDispatcher(
      { sinks: [flaky.sink], retry: { attempts: 2, baseDelayMs: 1 } },
      {
        metrics: metrics.listener,
        logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
      },
    );
    void d.enqueue(event(1));
    void d.enqueue(event(2));
    await d.flush();
    expect(d.stats().lost).toBe(2);
    expect(metrics.snapshot().audit.lost).toBe(2);
    expect(warnings.length).toBeGreaterThan(0);
  });

  it('close flushes and closes sinks; later events are counted lost', async () => {
    let closed = false;
    const sink = memoryAuditSink();
    const d = new AuditDispatcher({
      sinks: [
        {
          ...sink,
          name: 'm',
          write: (e) => sink.write(e),
          close: () => {
            closed = true;
            return Promise.resolve();
          },
        },
      ],
    });
    void d.enqueue(event(1));
    await d.close();
    expect(closed).toBe(true);
    expect(sink.events).toHaveLength(1);
    void d.enqueue(event(2));
    expect(d.stats().lost).toBe(1);
  });

  it('refuses two sinks with one name', () => {
    expect(() => new AuditDispatcher({ sinks: [memoryAuditSink(), memoryAuditSink()] })).toThrow(
      /two sinks/,
    );
  });
});

describe('stdout sink', () => {
  it('writes one JSON line per event', async () => {
    const chunks: string[] = [];
    const sink = stdoutAuditSink({
      stream: {
        write: (c, cb) => {
          chunks.push(c);
          cb();
          return true;
        },
      },
    });
    await sink.write([event(1), event(2)]);
    const lines = chunks.join('').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as AuditEvent).decisionId)).toEqual(['d-1', 'd-2']);
  });
});
