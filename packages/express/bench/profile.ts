import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { orderRequest, startServer } from './bench-server.js';

// Where a bench server spends its CPU: starts `server.ts <mode>` (built packages) with V8's
// CPU profiler, loads it with autocannon, and prints self time per function and per area.
// Usage: node --import tsx packages/express/bench/profile.ts [guarded|bare] [seconds]
const mode = process.argv[2] ?? 'guarded';
const seconds = Number(process.argv[3] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'express-prof-'));

const server = await startServer(mode, {
  nodeFlags: [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    '--cpu-prof-interval=100',
    // e.g. --no-turbo-inlining, to see inlined callees as their own rows.
    ...(process.env['PROFILE_NODE_FLAGS']?.split(' ').filter(Boolean) ?? []),
  ],
});
const load = (duration: number) =>
  autocannon({ ...orderRequest(server.url), connections: 50, duration });
const warmup = await load(2);
const result = await load(seconds);
await server.stop();

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (file === undefined) throw new Error('no profile written');
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

function area(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  if (url.includes('/packages/')) return url.replace(/.*\/packages\/([^/]+)\/.*/, '@agentguard/$1');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

const perFunction = new Map<string, number>();
const perArea = new Map<string, number>();
let total = 0;
for (const [id, micros] of self) {
  const { functionName, url: source, lineNumber } = byId.get(id)!.callFrame;
  const name = `${functionName || '(anonymous)'} ${source.replace(/.*node_modules\//, '').replace(/.*\/packages\//, '')}:${lineNumber + 1}`;
  perFunction.set(name, (perFunction.get(name) ?? 0) + micros);
  const a = area(source, functionName);
  perArea.set(a, (perArea.get(a) ?? 0) + micros);
  total += micros;
}
// Every request the profile saw (warm-up included); idle time is not cost.
const requests = warmup.requests.total + result.requests.total;
const busy = total - (perArea.get('(idle)') ?? 0);
const top = (map: Map<string, number>, n: number) =>
  [...map]
    .filter(([name]) => !name.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
const row = (name: string, micros: number) =>
  `| ${name} | ${(micros / requests).toFixed(2)} | ${((micros / busy) * 100).toFixed(1)}% |`;
console.log(
  `\n${mode}: ${requests} requests (${Math.round(result.requests.average)} req/s measured); busy ${(busy / requests).toFixed(1)} µs of profiled CPU per request (the profiler adds its own)`,
);
console.log('\n| area | self µs/req | share of busy |\n| --- | ---: | ---: |');
for (const [name, micros] of top(perArea, 25)) console.log(row(name, micros));
console.log('\n| function | self µs/req | share of busy |\n| --- | ---: | ---: |');
for (const [name, micros] of top(perFunction, Number(process.env['PROFILE_TOP'] ?? 60))) {
  console.log(row(name, micros));
}
console.log(`\nprofile: ${join(dir, file)}`);
