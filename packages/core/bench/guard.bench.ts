import { z } from 'zod';
import {
  allowAllAccess,
  anonymousAuthenticator,
  createGuard,
  createMetricsRecorder,
  memoryAuditSink,
} from '@agentguard/core';
import { reportTarget, runSuite } from '../../../bench/lib/harness.js';

// guard() overhead for an allowed call with a no-op handler: the pipeline's own cost.

const input = z.object({ customerId: z.string().max(64), fields: z.array(z.string()).max(10) });
const args = { customerId: 'cus_8f2a91', fields: ['name', 'email'] };
const noop = (a: { customerId: string }) => Promise.resolve(a.customerId);

const minimal = createGuard({
  authenticator: anonymousAuthenticator(),
  accessControl: allowAllAccess(),
  audit: { sinks: [memoryAuditSink({ maxEvents: 1000 })] },
});
const minimalTool = minimal('crm.lookup', { input, operation: 'read' }, noop);

const metrics = createMetricsRecorder();
const full = createGuard({
  authenticator: anonymousAuthenticator({ tenantId: 'acme' }),
  accessControl: allowAllAccess(),
  rateLimits: [
    { id: 'per-principal', limit: 1e9, windowMs: 60_000 },
    {
      id: 'per-tool',
      limit: 1e9,
      windowMs: 60_000,
      by: ['tenant', 'tool'],
      algorithm: 'token-bucket',
    },
  ],
  hooks: {
    before: [{ name: 'business-hours', run: () => undefined }],
    after: [{ name: 'result-check', run: () => undefined }],
  },
  audit: { sinks: [memoryAuditSink({ maxEvents: 1000 })] },
  metrics: metrics.listener,
});
const fullTool = full('crm.lookup', { input, operation: 'read' }, noop);

const context = {
  ip: '127.0.0.1',
  userAgent: 'bench',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};

const rows = await runSuite(
  'core-guard-overhead',
  [
    { name: 'bare handler (no guard)', library: 'baseline', fn: () => noop(args) },
    {
      name: 'guard(): anonymous + allow-all + validation + memory audit',
      library: 'agentguard',
      fn: () => minimalTool(args, context),
    },
    {
      name: 'guard(): all core stages (validation, 2 rate limits, before+after hooks, metrics, audit)',
      library: 'agentguard',
      fn: () => fullTool(args, context),
      note: 'rate limits never trigger; hooks answer synchronously; audit events are drained to a memory sink during the run',
    },
  ],
  { baseline: 'bare handler (no guard)' },
);
await full.flush();
await minimal.flush();

const bare = rows[0]!;
const fullRow = rows[2]!;
const overheadP50 = fullRow.p50Micros - bare.p50Micros;
const overheadMean = fullRow.meanMicros - bare.meanMicros;
reportTarget(
  'core stages overhead < 5 µs median per call',
  overheadP50 < 5,
  `p50 overhead ${overheadP50.toFixed(2)} µs, mean overhead ${overheadMean.toFixed(2)} µs`,
);
