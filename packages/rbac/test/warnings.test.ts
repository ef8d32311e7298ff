import { createMetricsRecorder, type Logger, type MetricEvent } from '@agentguard/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rbac } from '@agentguard/rbac';
import { tool } from './helpers.js';

function recordingLogger() {
  const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const logger: Logger = {
    warn(message, fields) {
      warnings.push({ message, fields });
    },
    error() {},
  };
  return { logger, warnings };
}

const rules = [
  { id: 'read', tools: ['*'], operations: ['read' as const], roles: ['viewer'] },
  { id: 'pay', tools: ['payments.*'], roles: ['approver'] },
];

describe('warnings about uncovered write and delete tools', () => {
  const consoleSpies: ReturnType<typeof vi.spyOn>[] = [];
  beforeEach(() => {
    for (const method of ['log', 'warn', 'error', 'info', 'debug'] as const) {
      consoleSpies.push(vi.spyOn(console, method));
    }
  });
  afterEach(() => {
    // The library never writes to the console.
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    consoleSpies.length = 0;
  });

  it('warns at construction for the tools passed in, through logger and metrics', () => {
    const { logger, warnings } = recordingLogger();
    const metrics = createMetricsRecorder();
    const events: MetricEvent[] = [];
    rbac({
      mode: 'roles',
      rules,
      logger,
      metrics: (event) => {
        events.push(event);
        metrics.listener(event);
      },
      tools: [
        tool('crm.get'),
        tool('crm.update', 'write'),
        tool('crm.delete', 'delete'),
        tool('payments.refund', 'write'),
      ],
    });
    expect(warnings.map((w) => w.fields?.['tool'])).toEqual(['crm.update', 'crm.delete']);
    expect(warnings[0]?.message).toContain('no rule covers write tool crm.update');
    expect(events).toEqual([
      {
        type: 'warning',
        source: 'rbac',
        message: 'no rule covers write tool crm.update; every call to it is denied',
        details: { tool: 'crm.update', operation: 'write' },
      },
      {
        type: 'warning',
        source: 'rbac',
        message: 'no rule covers delete tool crm.delete; every call to it is denied',
        details: { tool: 'crm.delete', operation: 'delete' },
      },
    ]);
    expect(metrics.snapshot().warnings).toHaveLength(2);
  });

  it('warns when the guard registers an uncovered tool, once per tool', () => {
    const { logger, warnings } = recordingLogger();
    const access = rbac({ mode: 'roles', rules, logger, tools: [tool('crm.update', 'write')] });
    expect(warnings).toHaveLength(1);
    access.toolRegistered(tool('crm.update', 'write'));
    access.toolRegistered(tool('docs.get'));
    access.toolRegistered(tool('payments.void', 'delete'));
    access.toolRegistered(tool('admin.purge', 'delete', ['admin']));
    expect(warnings.map((w) => w.fields?.['tool'])).toEqual(['crm.update', 'admin.purge']);
  });

  it('counts a rule that targets only other operations as not covering', () => {
    const { logger, warnings } = recordingLogger();
    rbac({
      mode: 'roles',
      rules: [{ id: 'reads', tags: ['crm'], operations: ['read'], roles: ['viewer'] }],
      logger,
      tools: [tool('crm.update', 'write', ['crm'])],
    });
    expect(warnings).toHaveLength(1);
  });

  it('does not count tenant rules as covering (the global rules deny)', () => {
    const { logger, warnings } = recordingLogger();
    rbac({
      mode: 'roles',
      rules: [],
      tenantRules: { acme: [{ id: 'acme', tools: ['*'], roles: ['admin'] }] },
      logger,
      tools: [tool('x.write', 'write')],
    });
    expect(warnings).toHaveLength(1);
  });

  it('survives a metrics listener that throws and works without logger or metrics', () => {
    const access = rbac({
      mode: 'roles',
      rules,
      metrics: () => {
        throw new Error('listener broke');
      },
    });
    expect(() => access.toolRegistered(tool('a.write', 'write'))).not.toThrow();
    const quiet = rbac({ mode: 'roles', rules, tools: [tool('b.write', 'write')] });
    expect(() => quiet.toolRegistered(tool('c.delete', 'delete'))).not.toThrow();
  });

  it('rejects a malformed tools option', () => {
    expect(() => rbac({ mode: 'roles', rules, tools: {} as never })).toThrow(/list of tools/);
    expect(() => rbac({ mode: 'roles', rules, tools: [null] as never })).toThrow(/needs a name/);
  });
});
