import { readFileSync } from 'node:fs';
import { PEERS, type Measured, type Timing } from './peers.js';

// One measuring process of the masking bench: loads one redactor, warms it up, times it on the
// 10 KB responses (cycled) and on the 1 MB one, and prints one JSON line. Started by
// masking.bench.ts: `node --expose-gc --import tsx measure-peer.ts <peer id> <corpus file>`.
const [id, corpusFile] = process.argv.slice(2);
const peer = PEERS.find((p) => p.id === id);
if (peer === undefined || corpusFile === undefined)
  throw new Error(`usage: <peer id> <corpus file>`);
const { small, large } = JSON.parse(readFileSync(corpusFile, 'utf8')) as {
  small: string[];
  large: string;
};
const run = await peer.load();
const smallMs = Number(process.env['BENCH_SMALL_MS'] ?? 2000);
const largeMs = Number(process.env['BENCH_LARGE_MS'] ?? 2500);

/** Calls `run` on the texts in turn for `ms` milliseconds (at least `minCalls` calls). */
function time(texts: readonly string[], ms: number, minCalls: number): Timing {
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  let now = start;
  for (let i = 0; now - start < ms || i < minCalls; i++) {
    const t = performance.now();
    run(texts[i % texts.length]!);
    now = performance.now();
    samples.push(now - t);
  }
  const used = process.cpuUsage(cpu);
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return {
    meanMicros: (samples.reduce((a, b) => a + b, 0) / samples.length) * 1000,
    p50Micros: at(0.5) * 1000,
    p99Micros: at(0.99) * 1000,
    cpuMicros: (used.user + used.system) / samples.length,
    calls: samples.length,
  };
}

// Warm-up: the JIT and the caches of each library, on both sizes.
time(small, peer.slow ? 300 : 1000, 16);
time([large], peer.slow ? 0 : 500, peer.slow ? 1 : 5);
const smallTiming = time(small, peer.slow ? smallMs / 4 : smallMs, 16);
const largeTiming = time([large], peer.slow ? 0 : largeMs, peer.slow ? 3 : 10);
// Right after a full garbage collection (servers have them all the time): V8 throws away
// optimized code that depends on objects the collection freed, and a library whose hot code
// depends on short-lived objects runs slower until it is optimized again.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('start with --expose-gc');
const afterGc: number[] = [];
for (let k = 0; k < 5; k++) {
  gc();
  afterGc.push(time(small, 0, peer.slow ? 16 : 320).meanMicros);
}
afterGc.sort((a, b) => a - b);
const measured: Measured = {
  id: peer.id,
  small: smallTiming,
  large: largeTiming,
  afterGcMicros: afterGc[2]!,
};
console.log(JSON.stringify(measured));
