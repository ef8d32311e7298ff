import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { reportTarget } from '../../../bench/lib/harness.js';

// Express route with and without guardRoute, each server in its own process, measured with
// autocannon on 127.0.0.1. Env: BENCH_DURATION (seconds per run, default 8), BENCH_RUNS
// (default 3), BENCH_CONNECTIONS (default 50).
const duration = Number(process.env['BENCH_DURATION'] ?? 8);
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SECRET = 'bench-secret-of-at-least-32-bytes!!';
const serverScript = fileURLToPath(new URL('./server.ts', import.meta.url));

function token(): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
    sub: 'agent-1',
    tid: 'tenant-a',
    roles: ['clerk'],
    exp: Math.floor(Date.now() / 1000) + 3600,
  })}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}

async function start(mode: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@agentguard/source', '--import', 'tsx', serverScript, mode],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const { port } = JSON.parse(line) as { port: number };
    return { child, url: `http://127.0.0.1:${port}/orders/o-42` };
  }
  throw new Error(`${mode} server did not start`);
}

interface Stats {
  cpuMicros: number;
  served: number;
}

async function stats(url: string): Promise<Stats> {
  const response = await fetch(new URL('/__stats', url));
  return (await response.json()) as Stats;
}

async function measure(
  url: string,
  seconds: number,
): Promise<{ rps: number; p99: number; cpuMicrosPerRequest: number }> {
  const before = await stats(url);
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
    body: JSON.stringify({ qty: 3 }),
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  const after = await stats(url);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / (after.served - before.served),
  };
}

const servers = { bare: await start('bare'), guarded: await start('guarded') };
const samples: Record<
  'bare' | 'guarded',
  { rps: number; p99: number; cpuMicrosPerRequest: number }[]
> = {
  bare: [],
  guarded: [],
};
try {
  // Warm both (JIT, caches), then alternate so drift hits both alike.
  await measure(servers.bare.url, 2);
  await measure(servers.guarded.url, 2);
  for (let run = 0; run < runs; run += 1) {
    for (const mode of ['bare', 'guarded'] as const) {
      samples[mode].push(await measure(servers[mode].url, duration));
    }
  }
} finally {
  servers.bare.child.kill('SIGTERM');
  servers.guarded.child.kill('SIGTERM');
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rows = (['bare', 'guarded'] as const).map((mode) => ({
  name: mode === 'bare' ? 'Express 5 route, express.json()' : 'same route behind guardRoute()',
  library: mode === 'bare' ? 'express 5' : 'agentguard',
  requestsPerSecond: median(samples[mode].map((s) => s.rps)),
  p99Millis: median(samples[mode].map((s) => s.p99)),
  serverCpuMicrosPerRequest: median(samples[mode].map((s) => s.cpuMicrosPerRequest)),
  runs: samples[mode].map((s) => Math.round(s.rps)),
}));
const [bare, guarded] = rows as [(typeof rows)[number], (typeof rows)[number]];
const ratio = guarded.requestsPerSecond / bare.requestsPerSecond;
// Requests per second a server can sustain are inversely proportional to its CPU cost per
// request when it is CPU-bound: this ratio does not move with other load on the machine.
const cpuRatio = bare.serverCpuMicrosPerRequest / guarded.serverCpuMicrosPerRequest;

console.log('\n## express\n');
console.log(
  '| case | library | req/s (median) | p99 ms | server CPU µs/req | runs req/s | vs bare |',
);
console.log('| --- | --- | ---: | ---: | ---: | --- | ---: |');
for (const row of rows) {
  console.log(
    `| ${row.name} | ${row.library} | ${Math.round(row.requestsPerSecond).toLocaleString('en-US')} | ${row.p99Millis} | ${row.serverCpuMicrosPerRequest.toFixed(1)} | ${row.runs.join(', ')} | x${(row.requestsPerSecond / bare.requestsPerSecond).toFixed(2)} |`,
  );
}
console.log(
  `- autocannon, ${connections} connections, ${duration} s per run, ${runs} runs alternating, 127.0.0.1, one process per server.`,
);
console.log(
  '- guarded pipeline: HS256 JWT check with a cache of verified tokens (node:crypto; stands in for @agentguard/jwt-auth), role rule, strict zod validation, rate limit that never triggers, an args policy, memory audit sink.',
);
console.log(
  `- load average at the end: ${loadavg()
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

const dir = join(import.meta.dirname, '..', '..', '..', 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'express.json'),
  JSON.stringify(
    {
      suite: 'express',
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model,
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        os: `${platform()} ${release()} ${arch()}`,
        node: process.version,
      },
      settings: { connections, durationSeconds: duration, runs },
      rows,
      ratio,
      cpuRatio,
    },
    null,
    2,
  ) + '\n',
);
