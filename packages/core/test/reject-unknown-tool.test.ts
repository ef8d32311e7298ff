import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  allowAllAccess,
  auditEventSchema,
  createGuard,
  createMetricsRecorder,
  memoryAuditSink,
  type Authenticator,
} from '@agentguard/core';
import { principal, tableAuthenticator } from './helpers.js';

// Adapters that fail closed (an MCP server refusing a tool registered past the guard, or an
// unknown name) refuse through guard.rejectUnknownTool: the refusal is the pipeline's, and it
// is audited like every other call.

const TOKEN = 'tok-ada';

function setup() {
  const sink = memoryAuditSink();
  const metrics = createMetricsRecorder();
  const guard = createGuard({
    authenticator: tableAuthenticator({ [TOKEN]: principal({ subject: 'user:ada' }) }),
    accessControl: allowAllAccess(),
    audit: { sinks: [sink] },
    metrics: metrics.listener,
  });
  guard('crm.get', { input: z.object({}), operation: 'read' }, () => 'ok');
  return { guard, sink, metrics };
}

describe('guard.rejectUnknownTool', () => {
  it('refuses an authenticated caller with forbidden / unknown_tool and audits it once', async () => {
    const { guard, sink, metrics } = setup();
    const refused = await guard.rejectUnknownTool('crm.export_all', {
      token: TOKEN,
      ip: '10.0.0.7',
    });
    await guard.flush();
    expect(refused.ok).toBe(false);
    expect(refused.error.code).toBe('forbidden');
    expect(refused.error.reason).toBe('unknown_tool');
    expect(refused.error.decisionId).toBe(refused.decision.decisionId);
    expect(sink.events).toHaveLength(1);
    const event = sink.events[0]!;
    expect(auditEventSchema.parse(event)).toBeTruthy();
    expect(event).toMatchObject({
      decisionId: refused.decision.decisionId,
      tool: 'crm.export_all',
      operation: 'write',
      outcome: 'rejected',
      code: 'forbidden',
      reason: 'unknown_tool',
      stage: 'authorize',
      subject: 'user:ada',
      tenantId: 'tenant-a',
      clientIp: '10.0.0.7',
    });
    expect(metrics.snapshot().decisions).toMatchObject({ total: 1 });
  });

  it('counts made-up names under one metrics label (bounded), registered ones by name', async () => {
    const { guard, metrics } = setup();
    for (let i = 0; i < 500; i++) await guard.rejectUnknownTool(`made.up_${i}`, { token: TOKEN });
    await guard.rejectUnknownTool('constructor', { token: TOKEN });
    await guard.rejectUnknownTool('__proto__', { token: TOKEN });
    await guard.rejectUnknownTool('crm.get', { token: TOKEN });
    const { byTool, total } = metrics.snapshot().decisions;
    expect(total).toBe(503);
    expect(byTool).toEqual({ '(unknown tool)': 502, 'crm.get': 1 });
  });

  it('answers an unknown caller with the authenticator error, before anything else', async () => {
    const { guard, sink } = setup();
    const refused = await guard.rejectUnknownTool('crm.get', { token: 'forged' });
    await guard.flush();
    expect(refused.error.code).toBe('unauthenticated');
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({
      tool: 'crm.get',
      outcome: 'rejected',
      code: 'unauthenticated',
      stage: 'authenticate',
    });
    expect(sink.events[0]!.subject).toBeUndefined();
  });

  it('gives the same answer for a registered name as for an unknown one', async () => {
    const { guard } = setup();
    const a = await guard.rejectUnknownTool('crm.get', { token: TOKEN });
    const b = await guard.rejectUnknownTool('no.such_tool', { token: TOKEN });
    expect({ code: a.error.code, reason: a.error.reason, message: a.error.message }).toEqual({
      code: b.error.code,
      reason: b.error.reason,
      message: b.error.message,
    });
  });

  it('never records a hostile tool name as sent', async () => {
    const { guard, sink } = setup();
    const hostile = [
      'x'.repeat(10_000),
      'a\n{"outcome":"allowed"}',
      '',
      '../../etc/passwd\u0000',
      '\u202ecrm.get',
      42 as unknown as string,
    ];
    for (const name of hostile) await guard.rejectUnknownTool(name, { token: TOKEN });
    await guard.flush();
    expect(sink.events.map((e) => e.tool)).toEqual(hostile.map(() => '(invalid tool name)'));
    expect(JSON.stringify(sink.events)).not.toContain('outcome":"allowed');
  });

  it('records the operation the adapter names, and write for anything else', async () => {
    const { guard, sink } = setup();
    await guard.rejectUnknownTool('t.read', { token: TOKEN }, { operation: 'read' });
    await guard.rejectUnknownTool(
      't.bad',
      { token: TOKEN },
      {
        operation: 'everything' as 'read',
      },
    );
    await guard.flush();
    expect(sink.events.map((e) => e.operation)).toEqual(['read', 'write']);
  });

  it('turns an authenticator that throws into internal_error (outcome error), audited', async () => {
    const throwing: Authenticator = {
      kind: 'authenticator',
      name: 'broken',
      authenticate() {
        throw new Error('key store down');
      },
    };
    const sink = memoryAuditSink();
    const guard = createGuard({ authenticator: throwing, audit: { sinks: [sink] } });
    const refused = await guard.rejectUnknownTool('crm.get', { token: TOKEN });
    await guard.flush();
    expect(refused.error.code).toBe('internal_error');
    expect(sink.events[0]).toMatchObject({ outcome: 'error', code: 'internal_error' });
    expect(JSON.stringify(sink.events)).not.toContain('key store down');
  });

  it('works without audit or metrics, and without an authenticator (unauthenticated)', async () => {
    const guard = createGuard();
    const refused = await guard.rejectUnknownTool('crm.get');
    expect(refused.error.code).toBe('unauthenticated');
    expect(refused.decision.outcome).toBe('rejected');
  });

  it('counts a registered tool named constructor or __proto__ like any other', async () => {
    const metrics = createMetricsRecorder();
    const guard = createGuard({
      authenticator: tableAuthenticator({ [TOKEN]: principal() }),
      accessControl: allowAllAccess(),
      metrics: metrics.listener,
    });
    const a = guard('constructor', { input: z.object({}), operation: 'read' }, () => 1);
    const b = guard('__proto__', { input: z.object({}), operation: 'read' }, () => 2);
    await a({}, { token: TOKEN });
    await a({}, { token: TOKEN });
    await b({}, { token: TOKEN });
    const { byTool } = metrics.snapshot().decisions;
    expect(byTool['constructor']).toBe(2);
    expect(Object.getOwnPropertyDescriptor(byTool, '__proto__')?.value).toBe(1);
  });
});
