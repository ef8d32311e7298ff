import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { orderRequest, startServer } from './bench-server.js';
import { benchToken } from './token.js';

// Instructions per request of bench servers (server.ts modes), counted by valgrind's callgrind:
// a count does not move with other load on the machine, but it still moves between processes
// (up to ±10% here, see the README: compare several counts, never two). Each
// mode is counted twice, after `warm` and after `warm + measured` requests, in processes of
// its own (run side by side); the difference divided by `measured` leaves out start-up and JIT
// warm-up. User-space instructions only: the kernel's share of a request (sockets) is not in
// it, and an instruction of one kind costs what one of another does only roughly.
// Usage: node --import tsx packages/express/bench/count-instructions.ts [warm] [measured] [mode ...]
// (defaults 6000 8000 bare guarded; about ten minutes on two cores).
const warm = Number(process.argv[2] ?? 6000);
const measured = Number(process.argv[3] ?? 8000);
const modes = process.argv.length > 4 ? process.argv.slice(4) : ['bare', 'guarded'];
if (spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('valgrind is not installed: nothing to count with');
  process.exit(1);
}
const token = benchToken();
const dir = mkdtempSync(join(tmpdir(), 'express-instructions-'));

/** Total instructions of one server process that served `requests` requests, then exited. */
async function count(mode: string, requests: number): Promise<number> {
  const out = join(dir, `${mode}.${requests}.callgrind`);
  const server = await startServer(mode, {
    prefix: ['valgrind', '--quiet', '--tool=callgrind', `--callgrind-out-file=${out}`],
    // Background compilation and GC on the main thread: every instruction is counted.
    nodeFlags: ['--single-threaded'],
  });
  const result = await autocannon({
    ...orderRequest(server.url, token),
    connections: 10,
    amount: requests,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${mode}: failed requests`);
  await server.stop();
  const summary = /^summary: (\d+)$/m.exec(readFileSync(out, 'utf8'));
  if (!summary) throw new Error(`${mode}: no callgrind summary`);
  return Number(summary[1]);
}

try {
  const perRequest = new Map<string, number>();
  for (const mode of modes) {
    const [before, after] = await Promise.all([count(mode, warm), count(mode, warm + measured)]);
    perRequest.set(mode, (after - before) / measured);
  }
  const base = perRequest.get('bare');
  console.log('| server | instructions per request | vs bare |\n| --- | ---: | ---: |');
  for (const [mode, n] of perRequest) {
    const ratio = base === undefined ? '' : `${((base / n) * 100).toFixed(1)}%`;
    console.log(`| ${mode} | ${Math.round(n).toLocaleString('en-US')} | ${ratio} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
