import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import {
  COUNTED_NODE_FLAGS,
  callgrindControl,
  callgrindPrefix,
  haveValgrind,
  readWindow,
  type WindowCount,
} from '../../../bench/lib/callgrind.js';
import { orderRequest, startServer } from './bench-server.js';
import { benchToken } from './token.js';

// Instructions per request of bench servers (server.ts modes), counted by valgrind's callgrind:
// a count does not move with other load on the machine. One process per mode: after `warm`
// requests (start-up and most JIT compilation), callgrind's counters are zeroed
// (`callgrind_control -z`), `measured` requests are sent, and the counters are dumped
// (`callgrind_control -d`): the count covers those requests only, so start-up, which differs
// from one process to the next, stays out of it. Garbage collection and the JIT compilation
// still under way fall inside the window as they happen: compare several counts, never two.
// User-space instructions only: the kernel's share of a request (sockets) is not in it, and an
// instruction of one kind costs what one of another does only roughly.
// Usage: node --import tsx packages/express/bench/count-instructions.ts [warm] [measured] [mode ...]
// (defaults 12000 8000 bare guarded; about ten minutes on two cores). Env: COUNT_OUT_DIR.
const warm = Number(process.argv[2] ?? 12000);
const measured = Number(process.argv[3] ?? 8000);
const modes = process.argv.length > 4 ? process.argv.slice(4) : ['bare', 'guarded'];
if (!haveValgrind()) {
  console.error('valgrind is not installed: nothing to count with');
  process.exit(1);
}
const token = benchToken();
// COUNT_OUT_DIR keeps the callgrind dumps there (callgrind_annotate shows where they went).
const keptDir = process.env['COUNT_OUT_DIR'];
const dir = keptDir ?? mkdtempSync(join(tmpdir(), 'express-instructions-'));
if (keptDir !== undefined) mkdirSync(keptDir, { recursive: true });

/** Instructions of `measured` requests to a `mode` server, after `warm` of warm-up. */
async function count(mode: string): Promise<WindowCount> {
  const out = join(dir, `${mode}.callgrind`);
  const server = await startServer(mode, {
    prefix: callgrindPrefix(out),
    nodeFlags: [...COUNTED_NODE_FLAGS],
  });
  try {
    const pid = server.child.pid!;
    await load(server.url, mode, warm);
    await callgrindControl('-z', pid);
    await load(server.url, mode, measured);
    await callgrindControl('-d', pid);
  } finally {
    await server.stop();
  }
  return readWindow(out);
}

async function load(url: string, mode: string, amount: number): Promise<void> {
  // A long timeout: under valgrind a request, or a collection, can take seconds.
  const result = await autocannon({
    ...orderRequest(url, token),
    connections: 10,
    amount,
    timeout: 120,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${mode}: failed requests`);
}

try {
  // Side by side: a count does not depend on what else runs.
  const counts = await Promise.all(modes.map(count));
  const base = counts[modes.indexOf('bare')];
  const rest = (c: WindowCount) => c.total - c.compiler - c.gc;
  const fmt = (n: number) => Math.round(n / measured).toLocaleString('en-US');
  const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(1)}%`;
  // Per request. JIT compilation still under way and garbage collections fall in the window
  // as they happen (the largest sources of variation between counts): the last two columns
  // leave both out.
  console.log(
    '| server | instructions | vs bare | compiler | GC | without compiler and GC | vs bare |\n' +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  modes.forEach((mode, index) => {
    const c = counts[index]!;
    console.log(
      `| ${mode} | ${fmt(c.total)} | ${base ? pct(base.total, c.total) : ''} | ` +
        `${fmt(c.compiler)} | ${fmt(c.gc)} | ${fmt(rest(c))} | ${base ? pct(rest(base), rest(c)) : ''} |`,
    );
  });
} finally {
  if (keptDir === undefined) rmSync(dir, { recursive: true, force: true });
}
