// One benchmark server, started by express.bench.ts (or profile.ts) in its own process:
// `bare` is an Express 5 route with express.json(); `guarded` is the same route behind
// guardRoute with the whole pipeline of real stages. Started without the
// `@agentguard/source` condition, so every `@agentguard/*` import is the built dist/.
import { createWriteStream } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import {
  allowAllAccess,
  anonymousAuthenticator,
  createGuard,
  stdoutAuditSink,
  type Guard,
  type WritableLike,
} from '@agentguard/core';
import { createExpressGuard } from '@agentguard/express';
import { jwtAuth } from '@agentguard/jwt-auth';
import { rbac } from '@agentguard/rbac';
import express from 'express';
import { z } from 'zod';
import { AUDIENCE, ISSUER, SECRET } from './token.js';

const mode = process.argv[2];
const app = express();
app.set('env', 'production');
app.disable('x-powered-by');
// CPU time the process spent and requests it served, read by the bench around each run:
// a measure of cost per request that other load on the machine does not distort.
let served = 0;
// Main-thread GC pauses, in microseconds.
let gcMicros = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMicros += entry.duration * 1000;
}).observe({ entryTypes: ['gc'] });
let audited = (): number => 0;
let auditBytes = 0;
app.get('/__stats', (_req, res) => {
  const cpu = process.cpuUsage();
  res.json({ cpuMicros: cpu.user + cpu.system, served, gcMicros, audited: audited(), auditBytes });
});
app.use((_req, _res, next) => {
  served += 1;
  next();
});

const input = z.object({ id: z.string(), qty: z.number().int() });

/** The guard of `guarded`; `minimal` keeps only what every guard needs (no real stages). */
function benchGuard(stages: 'full' | 'no-audit' | 'no-rate-limit' | 'minimal'): Guard {
  if (stages === 'minimal') {
    return createGuard({
      authenticator: anonymousAuthenticator(),
      accessControl: allowAllAccess(),
    });
  }
  // The audit sink serialises every event the way a real one does (core's stdoutAuditSink:
  // one JSON line per event, one write per batch) and keeps nothing in the heap. By default
  // the stream only counts the bytes; BENCH_AUDIT_SINK=devnull writes them to /dev/null
  // (an fs.WriteStream: one thread-pool write per batch).
  const stream: WritableLike =
    process.env['BENCH_AUDIT_SINK'] === 'devnull'
      ? createWriteStream('/dev/null')
      : {
          write(chunk, callback) {
            auditBytes += chunk.length;
            callback();
            return true;
          },
        };
  const guard = createGuard({
    authenticator: jwtAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      secret: SECRET,
    }),
    accessControl: rbac({
      mode: 'roles',
      rules: [{ id: 'clerk-orders', tools: ['orders.update'], roles: ['clerk'] }],
    }),
    rateLimits:
      stages === 'no-rate-limit' ? [] : [{ id: 'bench', limit: 1_000_000_000, windowMs: 60_000 }],
    audit:
      stages !== 'no-audit' ? { sinks: [stdoutAuditSink({ stream, name: 'bench' })] } : undefined,
  });
  audited = () => guard.audit?.stats().delivered ?? 0;
  return guard;
}

// `bare` and `guarded` are what the bench compares. The others take the guarded route apart
// (profile.ts and ablation.ts): without audit, with a guard of no real stages, and the full
// or minimal pipeline called from a plain Express handler (tool.execute, no guardRoute).
switch (mode) {
  case 'bare':
    app.post('/orders/:id', express.json(), (req, res) => {
      const body = req.body as { qty: number };
      res.json({ id: req.params.id, qty: body.qty });
    });
    break;
  case 'bare-headers':
    // The bare route with the two rate-limit headers guardRoute adds: their cost in HTTP.
    app.post('/orders/:id', express.json(), (req, res) => {
      const body = req.body as { qty: number };
      res.setHeader('RateLimit-Policy', '"bench";q=1000000000;w=60');
      res.setHeader('RateLimit', '"bench";r=999999999;t=60');
      res.json({ id: req.params.id, qty: body.qty });
    });
    break;
  case 'guarded':
  case 'no-audit':
  case 'no-rate-limit':
  case 'minimal': {
    const guard = benchGuard(mode === 'guarded' ? 'full' : mode);
    const { guardRoute } = createExpressGuard(guard);
    app.post(
      '/orders/:id',
      guardRoute('orders.update', { input, operation: 'write' }, ({ id, qty }) => ({ id, qty })),
    );
    break;
  }
  case 'execute':
  case 'execute-minimal': {
    const tool = benchGuard(mode === 'execute' ? 'full' : 'minimal')(
      'orders.update',
      { input, operation: 'write' },
      (args) => args,
    );
    app.post('/orders/:id', express.json(), async (req, res) => {
      const body = req.body as { qty: number };
      const token = req.headers.authorization?.slice(7);
      const result = await tool.execute(
        { id: req.params.id, qty: body.qty },
        { token, headers: req.headers, ip: req.ip },
      );
      if (result.ok) res.json(result.value);
      else res.status(result.error.status).json(result.error.toJSON());
    });
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
