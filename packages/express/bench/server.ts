// One benchmark server, started by express.bench.ts (or profile.ts) in its own process:
// `bare` is an Express 5 route with express.json(); `guarded` is the same route behind
// guardRoute with the whole pipeline of real stages. Started without the
// `@agentguard/source` condition, so every `@agentguard/*` import is the built dist/.
import { createWriteStream } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createGuard, stdoutAuditSink } from '@agentguard/core';
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
let audited = (): number => 0;
app.get('/__stats', (_req, res) => {
  const cpu = process.cpuUsage();
  res.json({ cpuMicros: cpu.user + cpu.system, served, audited: audited() });
});
app.use((_req, _res, next) => {
  served += 1;
  next();
});

if (mode === 'bare') {
  app.post('/orders/:id', express.json(), (req, res) => {
    const body = req.body as { qty: number };
    res.json({ id: req.params.id, qty: body.qty });
  });
} else {
  // The audit sink does what a real one does (one JSON line per event, written to a stream)
  // without keeping events in the heap: stdoutAuditSink on /dev/null.
  const devNull = createWriteStream('/dev/null');
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
    rateLimits: [{ id: 'bench', limit: 1_000_000_000, windowMs: 60_000 }],
    audit: { sinks: [stdoutAuditSink({ stream: devNull, name: 'devnull' })] },
  });
  const { guardRoute } = createExpressGuard(guard);
  app.post(
    '/orders/:id',
    guardRoute(
      'orders.update',
      { input: z.object({ id: z.string(), qty: z.number().int() }), operation: 'write' },
      ({ id, qty }) => ({ id, qty }),
    ),
  );
  audited = () => guard.audit?.stats().delivered ?? 0;
}

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
