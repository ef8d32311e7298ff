import autocannon from 'autocannon';
import { orderRequest, startServer } from './bench-server.js';
import { benchToken } from './token.js';

// Server CPU per request of several server modes (see server.ts), runs alternating, to take
// the guarded route apart. Usage:
// node --import tsx packages/express/bench/ablation.ts [seconds] [runs] [mode ...]
const seconds = Number(process.argv[2] ?? 4);
const runs = Number(process.argv[3] ?? 3);
const modes =
  process.argv.length > 4
    ? process.argv.slice(4)
    : ['bare', 'guarded', 'no-audit', 'minimal', 'execute'];
const token = benchToken();

const gc = new Map<number, number[]>();
async function cpuPerRequest(port: number, duration: number): Promise<number> {
  const stats = async () =>
    (await (await fetch(`http://127.0.0.1:${port}/__stats`)).json()) as {
      cpuMicros: number;
      served: number;
      gcMicros: number;
    };
  const before = await stats();
  const result = await autocannon({
    ...orderRequest(`http://127.0.0.1:${port}/orders/o-42`, token),
    connections: 50,
    duration,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`port ${port}: failures`);
  const after = await stats();
  const perRequest = (after.gcMicros - before.gcMicros) / (after.served - before.served);
  gc.set(port, [...(gc.get(port) ?? []), perRequest]);
  return (after.cpuMicros - before.cpuMicros) / (after.served - before.served);
}

const servers = await Promise.all(modes.map((mode) => startServer(mode)));
const samples = modes.map((): number[] => []);
try {
  for (const s of servers) await cpuPerRequest(s.port, 2);
  for (let run = 0; run < runs; run += 1) {
    for (const [i, s] of servers.entries()) samples[i]!.push(await cpuPerRequest(s.port, seconds));
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const base = median(samples[0]!);
// Differences with the first mode, run by run (neighbouring runs share the machine's load).
const paired = (i: number) => median(samples[i]!.map((v, run) => v - samples[0]![run]!));
console.log(
  '| mode | CPU µs/req (median) | runs | vs first | paired diff (median) | GC pause µs/req (median) |\n| --- | ---: | --- | ---: | ---: | ---: |',
);
for (const [i, mode] of modes.entries()) {
  const m = median(samples[i]!);
  console.log(
    `| ${mode} | ${m.toFixed(1)} | ${samples[i]!.map((v) => v.toFixed(1)).join(', ')} | +${(m - base).toFixed(1)} | +${paired(i).toFixed(1)} | ${median(gc.get(servers[i]!.port)!).toFixed(1)} |`,
  );
}
