import { createRequire } from 'node:module';
import { createMasker } from '@agentguard/masking';
import { CorpusBuilder } from '../test/fixtures/corpus.js';
import { buildDoc } from './corpus-docs.js';

// Quick in-process timing of the bench's 10 KB and 1 MB responses (not a benchmark: a tool
// for iterating on the masker; `pnpm bench masking` is the measurement).
//   node --conditions=@agentguard/source --import tsx packages/masking/bench/quick.ts [peer]
const require = createRequire(import.meta.url);
const builder = new CorpusBuilder(424_242);
let cursor = 0;
function doc(target: number): string {
  const built = buildDoc(builder, cursor, target);
  cursor = built.next;
  return built.doc.text;
}
const small = Array.from({ length: 16 }, () => doc(10_000));
const large = doc(1_000_000);
const { Redactor } = require('@redactpii/node') as {
  Redactor: new () => { redact(s: string): string };
};
const peer = new Redactor();
const masker = createMasker();
const ours = (t: string): unknown => masker.mask(t);
const theirs = (t: string): unknown => peer.redact(t);
function time(fn: () => void, ms: number): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    fn();
    n++;
    now = performance.now();
  }
  return ((now - start) * 1000) / n;
}
let i = 0;
time(() => ours(small[i++ % 16]!), 1500);
time(() => theirs(small[i++ % 16]!), 1000);
const rounds = Number(process.env['ROUNDS'] ?? 9);
const ms = Number(process.env['MS'] ?? 300);
const r10: number[] = [];
const r1m: number[] = [];
const o10: number[] = [];
const o1m: number[] = [];
for (let r = 0; r < rounds; r++) {
  const a = time(() => ours(small[i++ % 16]!), ms);
  const b = time(() => theirs(small[i++ % 16]!), ms);
  const c = time(() => ours(large), ms);
  const d = time(() => theirs(large), ms);
  o10.push(a);
  o1m.push(c);
  r10.push(b / a);
  r1m.push(d / c);
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
console.log(
  `10 KB: ours ${med(o10).toFixed(1)} µs, x${med(r10).toFixed(2)} vs @redactpii/node; ` +
    `1 MB: ours ${(med(o1m) / 1000).toFixed(2)} ms, x${med(r1m).toFixed(2)} (ratios: median of ${rounds} paired rounds, >1 = faster)`,
);
