import {
  allowAllAccess,
  anonymousAuthenticator,
  createDecisionId,
  createGuard,
  digestArgs,
  readTraceparent,
  type AuditEvent,
} from '@agentguard/core';
import { jwtAuth } from '@agentguard/jwt-auth';
import { rbac } from '@agentguard/rbac';
import { Bench } from 'tinybench';
import { z } from 'zod';
import { AUDIENCE, ISSUER, SECRET, benchToken } from './token.js';

// In-process costs of what the guarded bench route runs per request, piece by piece, on the
// built packages: where the server's extra CPU per request goes (see README, Benchmark).
// Usage: node --import tsx packages/express/bench/pipeline-costs.ts
const input = z.object({ id: z.string(), qty: z.number().int() });
const handler = ({ id, qty }: { id: string; qty: number }) => ({ id, qty });
const stages = () => ({
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
});
const token = benchToken();
const headers = {
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  'user-agent': 'autocannon',
};
const context = () => ({
  token,
  headers,
  ip: '127.0.0.1',
  userAgent: 'autocannon',
  extra: { transport: 'http', method: 'POST', path: '/orders/o-42' },
});
const args = { id: 'o-42', qty: 3 };

const minimal = createGuard({
  authenticator: anonymousAuthenticator(),
  accessControl: allowAllAccess(),
})('orders.update', { input, operation: 'write' }, handler);
const noAudit = createGuard(stages())('orders.update', { input, operation: 'write' }, handler);
const authenticator = stages().authenticator;
await authenticator.authenticate(context());

// One real audit event of the guarded route, as the sink receives it.
let event: AuditEvent | undefined;
const audited = createGuard({
  ...stages(),
  audit: {
    sinks: [
      {
        name: 'capture',
        write: (events) => {
          event = events[0];
          return Promise.resolve();
        },
      },
    ],
  },
});
await audited('orders.update', { input, operation: 'write' }, handler)(args, context());
await audited.flush();
if (event === undefined) throw new Error('no audit event');
const line = JSON.stringify(event);

const bench = new Bench({ time: 1_000, warmupTime: 250 });
bench
  .add('execute: anonymous + allow-all, no audit', () => minimal.execute(args, context()))
  .add('execute: jwtAuth (cached) + rbac + rate limit, no audit', () =>
    noAudit.execute(args, context()),
  )
  .add('jwtAuth authenticate, cached token', () => authenticator.authenticate(context()))
  .add(`JSON.stringify(audit event) (${line.length} bytes)`, () => JSON.stringify(event))
  .add('digestArgs({ id, qty })', () => digestArgs(args))
  .add('createDecisionId()', () => createDecisionId(Date.now()))
  .add('readTraceparent(undefined) (new trace id)', () => readTraceparent(undefined))
  .add('new Date(now).toISOString()', () => new Date(Date.now()).toISOString())
  .add('zod safeParse of the arguments', () => input.safeParse(args));
await bench.run();
console.log('| piece | mean µs | p50 µs |\n| --- | ---: | ---: |');
for (const task of bench.tasks) {
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`${task.name} did not complete`);
  console.log(
    `| ${task.name} | ${(result.latency.mean * 1000).toFixed(2)} | ${(result.latency.p50 * 1000).toFixed(2)} |`,
  );
}
