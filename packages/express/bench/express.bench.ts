import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { reportTarget, writeSuiteResult } from '../../../bench/lib/harness.js';
import { orderRequest, startServer } from './bench-server.js';
import { benchToken } from './token.js';

// Express route with and without guardRoute, each server in its own process running the
// built packages (dist/), measured with autocannon on 127.0.0.1. Runs alternate bare and
// guarded so that other load on the machine hits both alike. Env: BENCH_DURATION (seconds
// per run, default 6), BENCH_RUNS (per server, default 5), BENCH_CONNECTIONS (default 50),
// BENCH_CPU_PROF (a folder: the servers write V8 CPU profiles there), BENCH_PIN=1.
//
// BENCH_PIN=1 (Linux, two or more cores): the load generator (this process: autocannon) runs
// on the first core and the servers on the last (taskset), so a server has one core for all
// its threads, background GC included, as in a one-vCPU container. By default nothing is
// pinned and the scheduler shares both cores between client and server.
const duration = Number(process.env['BENCH_DURATION'] ?? 6);
const runs = Number(process.env['BENCH_RUNS'] ?? 5);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const profileDir = process.env['BENCH_CPU_PROF'];
const pinned =
  process.platform === 'linux' &&
  cpus().length >= 2 &&
  process.env['BENCH_PIN'] === '1' &&
  spawnSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' }).status === 0;
const serverCore = cpus().length - 1;
const packages = join(import.meta.dirname, '..', '..');
for (const pkg of ['core', 'jwt-auth', 'rbac', 'express']) {
  if (!existsSync(join(packages, pkg, 'dist', 'index.js'))) {
    throw new Error(`packages/${pkg}/dist is missing: run pnpm build first`);
  }
}

// taskset execs the server: the child is the server process itself.
const startOptions = {
  nodeFlags: profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  prefix: pinned ? ['taskset', '-c', String(serverCore)] : [],
};

interface Stats {
  cpuMicros: number;
  served: number;
  audited: number;
  auditBytes: number;
  gcMicros: number;
}

async function stats(url: string): Promise<Stats> {
  const response = await fetch(new URL('/__stats', url));
  return (await response.json()) as Stats;
}

interface Sample {
  rps: number;
  p99: number;
  cpuMicrosPerRequest: number;
  gcMicrosPerRequest: number;
  audited: number;
  auditBytes: number;
}

const token = benchToken();

async function measure(url: string, seconds: number): Promise<Sample> {
  const before = await stats(url);
  const result = await autocannon({ ...orderRequest(url, token), connections, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  const after = await stats(url);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / (after.served - before.served),
    gcMicrosPerRequest: (after.gcMicros - before.gcMicros) / (after.served - before.served),
    audited: after.audited - before.audited,
    auditBytes: after.auditBytes - before.auditBytes,
  };
}

const servers = {
  bare: await startServer('bare', startOptions),
  guarded: await startServer('guarded', startOptions),
};
const samples: Record<'bare' | 'guarded', Sample[]> = { bare: [], guarded: [] };
try {
  // Warm both (JIT, caches), then alternate so drift hits both alike.
  await measure(servers.bare.url, 3);
  await measure(servers.guarded.url, 3);
  for (let run = 0; run < runs; run += 1) {
    for (const mode of ['bare', 'guarded'] as const) {
      samples[mode].push(await measure(servers[mode].url, duration));
    }
  }
} finally {
  await Promise.all([servers.bare.stop(), servers.guarded.stop()]);
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rows = (['bare', 'guarded'] as const).map((mode) => ({
  name: mode === 'bare' ? 'Express 5 route, express.json()' : 'same route behind guardRoute()',
  library: mode === 'bare' ? 'express 5' : 'agentguard',
  requestsPerSecond: median(samples[mode].map((s) => s.rps)),
  p99Millis: median(samples[mode].map((s) => s.p99)),
  serverCpuMicrosPerRequest: median(samples[mode].map((s) => s.cpuMicrosPerRequest)),
  gcPauseMicrosPerRequest: median(samples[mode].map((s) => s.gcMicrosPerRequest)),
  runs: samples[mode].map((s) => Math.round(s.rps)),
  runsCpuMicrosPerRequest: samples[mode].map((s) => Math.round(s.cpuMicrosPerRequest * 10) / 10),
  audited: samples[mode].reduce((sum, s) => sum + s.audited, 0),
  auditBytes: samples[mode].reduce((sum, s) => sum + s.auditBytes, 0),
}));
const [bare, guarded] = rows as [(typeof rows)[number], (typeof rows)[number]];
const ratio = guarded.requestsPerSecond / bare.requestsPerSecond;
// Requests per second a server can sustain are inversely proportional to its CPU cost per
// request when it is CPU-bound: this ratio does not move with other load on the machine.
const cpuRatio = bare.serverCpuMicrosPerRequest / guarded.serverCpuMicrosPerRequest;

console.log('\n## express\n');
console.log(
  '| case | library | req/s (median) | p99 ms | server CPU µs/req (median) | runs req/s | runs CPU µs/req | vs bare (req/s) |',
);
console.log('| --- | --- | ---: | ---: | ---: | --- | --- | ---: |');
for (const row of rows) {
  console.log(
    `| ${row.name} | ${row.library} | ${Math.round(row.requestsPerSecond).toLocaleString('en-US')} | ${row.p99Millis} | ${row.serverCpuMicrosPerRequest.toFixed(1)} | ${row.runs.join(', ')} | ${row.runsCpuMicrosPerRequest.join(', ')} | x${(row.requestsPerSecond / bare.requestsPerSecond).toFixed(2)} |`,
  );
}
console.log(
  `- autocannon, ${connections} connections, ${duration} s per run, ${runs} runs alternating, 127.0.0.1, one process per server${pinned ? `; autocannon pinned to core 0, the servers to core ${serverCore}` : ', not pinned to cores'}.`,
);
const auditSink =
  process.env['BENCH_AUDIT_SINK'] === 'devnull'
    ? 'core stdoutAuditSink writing to a /dev/null fs.WriteStream'
    : `core stdoutAuditSink writing to a stream that counts the bytes and drops them (${Math.round(guarded.auditBytes / Math.max(1, guarded.audited))} bytes per event)`;
console.log(
  `- guarded pipeline (built packages): jwtAuth HS256 with its verified-token cache (the token is verified once, then cached), rbac with one role rule, strict zod validation, a rate limit that never triggers, audit: ${auditSink}; ${guarded.audited.toLocaleString('en-US')} events delivered in the measured runs.`,
);
console.log(
  `- main-thread GC pauses per request (median): bare ${bare.gcPauseMicrosPerRequest.toFixed(1)} µs, guarded ${guarded.gcPauseMicrosPerRequest.toFixed(1)} µs (part of the CPU figures).`,
);
// Each guarded run follows its bare run: their ratio is free of drift slower than a pair.
const pairedRatio = median(samples.guarded.map((g, i) => g.rps / samples.bare[i]!.rps));
const pairedCpuRatio = median(
  samples.guarded.map((g, i) => samples.bare[i]!.cpuMicrosPerRequest / g.cpuMicrosPerRequest),
);
console.log(
  `- run by run (each guarded run against the bare run just before it), median: ${(pairedRatio * 100).toFixed(1)}% of the requests per second, ${(pairedCpuRatio * 100).toFixed(1)}% of the capacity (CPU).`,
);
const load = loadavg();
console.log(
  `- load average at the end: ${load
    .map((l) => l.toFixed(2))
    .join(', ')} on ${cpus().length} cores; req/s swing with other load, CPU µs/req do not.`,
);
reportTarget(
  'guarded route keeps >= 85% of the bare route requests per second (autocannon req/s)',
  ratio >= 0.85,
  `${(ratio * 100).toFixed(1)}%`,
);
reportTarget(
  'guarded route keeps >= 85% of the bare route capacity (server CPU per request)',
  cpuRatio >= 0.85,
  `${(cpuRatio * 100).toFixed(1)}%: ${bare.serverCpuMicrosPerRequest.toFixed(1)} vs ${guarded.serverCpuMicrosPerRequest.toFixed(1)} µs`,
);

writeSuiteResult('express', {
  settings: {
    pinned,
    connections,
    durationSeconds: duration,
    runs,
    auditSink: process.env['BENCH_AUDIT_SINK'] === 'devnull' ? 'devnull' : 'discard',
  },
  loadAverage: load,
  rows,
  ratio,
  cpuRatio,
  pairedRatio,
  pairedCpuRatio,
});
