import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGuard, memoryAuditSink } from '@agentguard/core';
import { principal, tableAuthenticator } from './helpers.js';
import { ownString } from '../src/own-string.js';

// Audit events outlive their call (queued, retried, kept by sinks): what they keep of request
// headers must not keep the headers themselves.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CALLS = 400;
const HEADER = 16_000;

describe('ownString', () => {
  it('is the same text', () => {
    for (const s of ['', 'a', '203.0.113.195', 'x'.repeat(300), 'é\ud800😀'.repeat(9)]) {
      expect(ownString(s)).toBe(s);
    }
  });

  it('keeps nothing of the string a slice was cut from (optimised code included)', () => {
    // Called often enough first for V8 to optimise it.
    const long = 'y'.repeat(1000);
    let length = 0;
    for (let k = 0; k < 200_000; k++) length += ownString(long.slice(k % 100, 200)).length;
    expect(length).toBeGreaterThan(0);
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept: string[] = [];
    for (let k = 0; k < CALLS; k++) {
      kept.push(ownString(`${k}`.padEnd(HEADER, 'x').slice(0, 64)));
    }
    gc();
    // Kept as slices, they would hold 400 x 16 KB = 6.4 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(1_000_000);
    expect(kept).toHaveLength(CALLS);
  });
});

describe('audit events keep no request header alive', () => {
  it('User-Agent, client address and traceparent ids are copies', async () => {
    const sink = memoryAuditSink();
    const guard = createGuard({
      authenticator: tableAuthenticator({ t: principal() }),
      audit: { sinks: [sink] },
    });
    const tool = guard('t', { input: z.object({}), operation: 'read' }, () => 'ok');
    const run = async (k: number): Promise<void> => {
      // Each field cut from a 16 KB header, as an HTTP adapter would cut it.
      const ua = `Agent/${k} `.padEnd(HEADER, 'u');
      const forwarded = `203.0.113.${k % 250}, `.padEnd(HEADER, ' ');
      const traceparent = `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`;
      const trace = `${traceparent}${' '.repeat(400)}`.slice(0, traceparent.length);
      await tool.execute(
        {},
        {
          token: 't',
          userAgent: ua,
          ip: forwarded.slice(0, forwarded.indexOf(',')).padEnd(14, '0'),
          traceparent: trace,
        },
      );
    };
    await run(-1);
    await guard.flush();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let k = 0; k < CALLS; k++) await run(k);
    await guard.flush();
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(sink.events).toHaveLength(CALLS + 1);
    expect(sink.events.at(-1)!.userAgent).toBe(`Agent/${CALLS - 1} `.padEnd(256, 'u'));
    // Kept as slices, the User-Agents and addresses alone would hold 2 x 400 x 16 KB = 12.8 MB.
    expect(grown).toBeLessThan(3_000_000);
  });
});
