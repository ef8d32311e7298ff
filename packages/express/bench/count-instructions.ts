import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
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
if (spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('valgrind is not installed: nothing to count with');
  process.exit(1);
}
const execFileAsync = promisify(execFile);
const token = benchToken();
// COUNT_OUT_DIR keeps the callgrind dumps there (callgrind_annotate shows where they went).
const keptDir = process.env['COUNT_OUT_DIR'];
const dir = keptDir ?? mkdtempSync(join(tmpdir(), 'express-instructions-'));
if (keptDir !== undefined) mkdirSync(keptDir, { recursive: true });

/** What callgrind counted in the measured window of one server. */
interface Count {
  readonly total: number;
  /** Inside V8's optimising compiler (Runtime_CompileOptimized, inclusive). */
  readonly compiler: number;
  /** Inside garbage collections (Heap::CollectGarbage, inclusive; marking steps not included). */
  readonly gc: number;
}

/** Instructions of `measured` requests to a `mode` server, after `warm` of warm-up. */
async function count(mode: string): Promise<Count> {
  const out = join(dir, `${mode}.callgrind`);
  const server = await startServer(mode, {
    prefix: ['valgrind', '--quiet', '--tool=callgrind', `--callgrind-out-file=${out}`],
    // Background compilation and GC on the main thread: every instruction is counted.
    nodeFlags: ['--single-threaded'],
  });
  try {
    const pid = String(server.child.pid);
    await load(server.url, mode, warm);
    await callgrindControl('-z', pid);
    await load(server.url, mode, measured);
    await callgrindControl('-d', pid);
  } finally {
    await server.stop();
  }
  // The dump of the measured window is the process's first numbered one.
  const dump = `${out}.1`;
  const summary = /^(?:summary|totals): (\d+)$/m.exec(readFileSync(dump, 'utf8'));
  if (!summary) throw new Error(`${mode}: no callgrind summary`);
  const { stdout } = await execFileAsync(
    'callgrind_annotate',
    ['--inclusive=yes', '--threshold=100', dump],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return {
    total: Number(summary[1]),
    compiler: inclusive(stdout, 'v8::internal::Runtime_CompileOptimized('),
    gc: inclusive(stdout, 'v8::internal::Heap::CollectGarbage('),
  };
}

/**
 * The inclusive count of `fn` in callgrind_annotate's listing: its largest row (recursive
 * entries, suffixed `'2`, are left out; they are part of the outer one).
 */
function inclusive(listing: string, fn: string): number {
  let largest = 0;
  for (const line of listing.split('\n')) {
    const row = /^\s*([\d,]+) \([^)]*\)\s+\S*?:(.*)$/.exec(line);
    if (row === null || !row[2]!.startsWith(fn)) continue;
    if (/'\d/.test(row[2]!.split(' [')[0]!)) continue;
    largest = Math.max(largest, Number(row[1]!.replaceAll(',', '')));
  }
  return largest;
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

/** Runs `callgrind_control` without blocking the event loop (other modes keep loading). */
async function callgrindControl(option: string, pid: string): Promise<void> {
  await execFileAsync('callgrind_control', [option, pid]);
}

try {
  // Side by side: a count does not depend on what else runs.
  const counts = await Promise.all(modes.map(count));
  const base = counts[modes.indexOf('bare')];
  const rest = (c: Count) => c.total - c.compiler - c.gc;
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
