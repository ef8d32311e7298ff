import { z } from 'zod';
import {
  allowAllAccess,
  anonymousAuthenticator,
  createGuard,
  memoryAuditSink,
  type GuardedResult,
} from '@agentguard/core';
import { bold, cyan, dim, green, printTable, red, yellow } from './table.js';

// The demo: an agent calls guarded tools; each row shows the decision and why.
const audit = memoryAuditSink();
const guard = createGuard({
  authenticator: anonymousAuthenticator({ tenantId: 'acme', subject: 'agent:support-bot' }),
  accessControl: allowAllAccess(),
  rateLimits: [{ id: 'lookups', limit: 3, windowMs: 60_000, tools: ['crm.*'] }],
  hooks: {
    before: [
      {
        name: 'no-refunds-over-500',
        tools: ['payments.refund'],
        run: ({ args }) =>
          (args as { amount: number }).amount > 500
            ? { action: 'reject', message: 'refunds over 500 need a human' }
            : undefined,
      },
    ],
  },
  audit: { sinks: [audit] },
});

const lookup = guard(
  'crm.lookup',
  { input: z.object({ customerId: z.string().regex(/^cus_\w+$/) }), operation: 'read' },
  ({ customerId }) => ({ customerId, name: 'Ada Lovelace', plan: 'pro' }),
);
const refund = guard(
  'payments.refund',
  { input: z.object({ orderId: z.string(), amount: z.number().positive() }), operation: 'write' },
  ({ orderId, amount }) => ({ orderId, refunded: amount }),
);

interface Scenario {
  readonly title: string;
  readonly expected: string;
  readonly run: () => Promise<GuardedResult<unknown>>;
}

const scenarios: Scenario[] = [
  {
    title: 'look up a customer',
    expected: 'allowed',
    run: () => lookup.execute({ customerId: 'cus_1' }),
  },
  {
    title: 'smuggle an extra argument',
    expected: 'invalid_input',
    run: () => lookup.execute({ customerId: 'cus_1', includeDeleted: true }),
  },
  {
    title: 'look up again',
    expected: 'allowed',
    run: () => lookup.execute({ customerId: 'cus_2' }),
  },
  { title: 'and again', expected: 'allowed', run: () => lookup.execute({ customerId: 'cus_3' }) },
  {
    title: 'a fourth lookup this minute',
    expected: 'rate_limited',
    run: () => lookup.execute({ customerId: 'cus_4' }),
  },
  {
    title: 'refund 40',
    expected: 'allowed',
    run: () => refund.execute({ orderId: 'ord_9', amount: 40 }),
  },
  {
    title: 'refund 900',
    expected: 'hook_failed',
    run: () => refund.execute({ orderId: 'ord_9', amount: 900 }),
  },
];

console.log(bold('\nAgentGuard demo') + dim(' — an agent calling guarded tools\n'));
const rows: string[][] = [];
let mismatches = 0;
for (const s of scenarios) {
  const result = await s.run();
  const got = result.ok ? 'allowed' : result.error.code;
  const matches = got === s.expected;
  if (!matches) mismatches += 1;
  const why = result.ok
    ? dim(JSON.stringify(result.value))
    : `${result.error.message}${result.error.reason ? dim(` (${result.error.reason})`) : ''}`;
  rows.push([
    matches ? green('✔') : red('✘'),
    s.title,
    result.ok ? green(got) : got === s.expected ? yellow(got) : red(got),
    why,
  ]);
}
printTable(['', 'scenario', 'outcome', 'why'], rows);

await guard.flush();
const byOutcome = new Map<string, number>();
for (const e of audit.events)
  byOutcome.set(e.code ?? e.outcome, (byOutcome.get(e.code ?? e.outcome) ?? 0) + 1);
console.log(
  `\n${bold('audit')}: ${audit.events.length} events, one per call — ` +
    [...byOutcome].map(([k, v]) => `${k} ${v}`).join(', '),
);
console.log(dim(`last event: ${cyan(JSON.stringify(audit.events.at(-1)))}`));
await guard.close();

if (mismatches > 0) {
  console.log(red(`\n${mismatches} scenario(s) did not produce the expected outcome`));
  process.exit(1);
}
console.log(green(`\nall ${scenarios.length} scenarios produced the expected outcome`));
