// One benchmark server, started by express.bench.ts in its own process:
// `bare` is an Express 5 route with express.json(); `guarded` is the same route behind
// guardRoute with the whole core pipeline.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  UnauthenticatedError,
  createGuard,
  fail,
  memoryAuditSink,
  ok,
  type AccessControl,
  type Authenticator,
  type PolicyEngine,
  type Principal,
  type StageResult,
} from '@agentguard/core';
import express from 'express';
import { z } from 'zod';
import { createExpressGuard } from '../src/index.js';

export const SECRET = 'bench-secret-of-at-least-32-bytes!!';

/**
 * HS256 JWT check with node:crypto and a bounded cache of verified tokens (what a real
 * authenticator does for a token it has seen). @agentguard/jwt-auth is built in parallel;
 * this stands in for it here.
 */
function hs256Authenticator(secret: string): Authenticator {
  const cache = new Map<string, { result: StageResult<Principal>; exp: number }>();
  const key = Buffer.from(secret);
  const rejected = fail<Principal>(new UnauthenticatedError('invalid token', { reason: 'bad' }));
  return {
    kind: 'authenticator',
    name: 'hs256-bench',
    authenticate({ token }) {
      if (token === undefined) return fail(new UnauthenticatedError());
      const now = Math.floor(Date.now() / 1000);
      const hit = cache.get(token);
      if (hit && hit.exp > now) return hit.result;
      const [header, payload, signature] = token.split('.');
      if (header === undefined || payload === undefined || signature === undefined) return rejected;
      const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return rejected;
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
        sub: string;
        tid: string;
        roles: string[];
        exp: number;
      };
      if (claims.exp <= now) return rejected;
      const result = ok<Principal>({
        subject: claims.sub,
        tenantId: claims.tid,
        roles: claims.roles,
        permissions: [],
        scopes: [],
        authLevel: {},
        claims,
        authenticatedBy: 'hs256-bench',
      });
      if (cache.size >= 10_000) cache.clear();
      cache.set(token, { result, exp: claims.exp });
      return result;
    },
  };
}

/** Tool → role rules, as rbac would check them. */
function roleRules(): AccessControl {
  return {
    kind: 'access_control',
    name: 'roles',
    authorize(principal, tool) {
      return principal.roles.includes('clerk') && tool.name === 'orders.update'
        ? ok({ matchedRules: ['clerk-orders'] })
        : fail(new UnauthenticatedError());
    },
  };
}

/** A policy that looks at the arguments and lets the call through. */
function quantityPolicy(): PolicyEngine {
  return {
    kind: 'policy',
    name: 'qty',
    evaluate({ args }) {
      return (args as { qty: number }).qty > 1_000_000
        ? { ok: false, matched: [], error: new UnauthenticatedError() }
        : { ok: true, matched: [] };
    },
  };
}

const mode = process.argv[2];
const app = express();
app.set('env', 'production');
app.disable('x-powered-by');
// CPU time the process spent and requests it served, read by the bench around each run:
// a measure of cost per request that other load on the machine does not distort.
let served = 0;
app.get('/__stats', (_req, res) => {
  const cpu = process.cpuUsage();
  res.json({ cpuMicros: cpu.user + cpu.system, served });
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
  const guard = createGuard({
    authenticator: hs256Authenticator(SECRET),
    accessControl: roleRules(),
    rateLimits: [{ id: 'bench', limit: 1_000_000_000, windowMs: 60_000 }],
    policy: quantityPolicy(),
    audit: { sinks: [memoryAuditSink({ maxEvents: 1_000 })] },
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
}

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
