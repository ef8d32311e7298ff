import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportTarget, writeSuiteResult } from '../../../bench/lib/harness.js';
import { createMasker } from '@agentguard/masking';
import { CorpusBuilder } from '../test/fixtures/corpus.js';
import { buildDoc, type Doc } from './corpus-docs.js';
import { PEERS, type Measured } from './peers.js';

// Text in, text out: every library receives the JSON text of a tool response. Each library is
// timed in a process of its own (measure-peer.ts), so that no library's garbage, heap size or
// JIT state lands on another's clock; the processes run one at a time, in rounds, each round
// in a rotated order, and each figure is the median of the rounds. Env: BENCH_ROUNDS
// (default 3), BENCH_SMALL_MS / BENCH_LARGE_MS (timed milliseconds per process and size).

const builder = new CorpusBuilder(424_242);
const small: Doc[] = [];
let cursor = 0;
for (let k = 0; k < 16; k++) {
  const built = buildDoc(builder, cursor, 10_000);
  small.push(built.doc);
  cursor = built.next;
}
const large = buildDoc(builder, cursor, 1_000_000).doc;
const smallBytes = small.reduce((n, d) => n + Buffer.byteLength(d.text), 0) / small.length;
const largeBytes = Buffer.byteLength(large.text);
console.log(
  `corpus: 16 responses of ~${Math.round(smallBytes)} B, one of ${largeBytes} B; ${large.planted.length} planted values and ${large.decoys.length} decoys in the large one`,
);

/** Recall, decoys kept and JSON validity of one library on the 1 MB response (untimed). */
async function quality(
  load: () => Promise<(text: string) => string>,
): Promise<{ recall: number; decoysKept: number; validJson: boolean }> {
  const out = (await load())(large.text);
  const recall = large.planted.filter((v) => !out.includes(v)).length / large.planted.length;
  const decoysKept = large.decoys.filter((v) => out.includes(v)).length / large.decoys.length;
  let validJson = true;
  try {
    JSON.parse(out);
  } catch {
    validJson = false;
  }
  return { recall, decoysKept, validJson };
}

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'agentguard-masking-bench-'));
const corpusFile = join(work, 'corpus.json');
writeFileSync(corpusFile, JSON.stringify({ small: small.map((d) => d.text), large: large.text }));
const measured = new Map<string, Measured[]>(PEERS.map((p) => [p.id, []]));
try {
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < PEERS.length; k++) {
      const peer = PEERS[(k + round) % PEERS.length]!;
      const child = spawnSync(
        process.execPath,
        [
          '--expose-gc',
          '--import',
          'tsx',
          join(import.meta.dirname, 'measure-peer.ts'),
          peer.id,
          corpusFile,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      if (child.status !== 0) throw new Error(`measuring ${peer.id} failed (${child.status})`);
      measured.get(peer.id)!.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Measured);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ours = createMasker();

console.log('\n## masking: speed beside quality (same corpus)\n');
console.log(
  '| redactor | library | 10 KB MB/s | 10 KB mean / p50 / p99 | 10 KB CPU per call | 1 MB MB/s | 1 MB per response | 1 MB CPU per call | 10 KB after a full GC | recall | decoys kept | valid JSON |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
interface Row {
  id: string;
  name: string;
  library: string;
  smallMbs: number;
  smallMeanMicros: number;
  smallP50Micros: number;
  smallP99Micros: number;
  smallCpuMicros: number;
  largeMbs: number;
  largeMeanMillis: number;
  largeCpuMillis: number;
  /** Mean time per 10 KB call over the 320 calls after a full garbage collection. */
  afterGcMicros: number;
  smallMbsRounds: number[];
  largeMbsRounds: number[];
  recall: number;
  decoysKept: number;
  validJson: boolean;
}
const rows: Row[] = [];
for (const peer of PEERS) {
  const runs = measured.get(peer.id)!;
  const q = await quality(peer.load);
  const smallMbsRounds = runs.map((r) => smallBytes / r.small.meanMicros);
  const largeMbsRounds = runs.map((r) => largeBytes / r.large.meanMicros);
  const row: Row = {
    id: peer.id,
    name: peer.name,
    library: peer.library,
    smallMbs: median(smallMbsRounds),
    smallMeanMicros: median(runs.map((r) => r.small.meanMicros)),
    smallP50Micros: median(runs.map((r) => r.small.p50Micros)),
    smallP99Micros: median(runs.map((r) => r.small.p99Micros)),
    smallCpuMicros: median(runs.map((r) => r.small.cpuMicros)),
    largeMbs: median(largeMbsRounds),
    largeMeanMillis: median(runs.map((r) => r.large.meanMicros)) / 1000,
    largeCpuMillis: median(runs.map((r) => r.large.cpuMicros)) / 1000,
    afterGcMicros: median(runs.map((r) => r.afterGcMicros)),
    smallMbsRounds,
    largeMbsRounds,
    ...q,
  };
  rows.push(row);
  console.log(
    `| ${row.name} | ${row.library} | ${row.smallMbs.toFixed(1)} | ${row.smallMeanMicros.toFixed(0)} / ${row.smallP50Micros.toFixed(0)} / ${row.smallP99Micros.toFixed(0)} µs | ${row.smallCpuMicros.toFixed(0)} µs | ${row.largeMbs.toFixed(1)} | ${row.largeMeanMillis.toFixed(2)} ms | ${row.largeCpuMillis.toFixed(2)} ms | ${row.afterGcMicros.toFixed(0)} µs | ${(q.recall * 100).toFixed(1)}% | ${(q.decoysKept * 100).toFixed(1)}% | ${q.validJson ? 'yes' : 'no'} |`,
  );
}
console.log(
  `- each library in a process of its own, ${rounds} rounds in rotated order; figures are medians of the rounds (MB/s from the mean time per call; CPU per call from process.cpuUsage, garbage collection included; after a full GC: mean of the 320 calls that follow a forced full collection, median of five).`,
);
for (const row of rows) {
  console.log(
    `- ${row.name}: 10 KB MB/s per round ${row.smallMbsRounds.map((v) => v.toFixed(1)).join(', ')}; 1 MB ${row.largeMbsRounds.map((v) => v.toFixed(1)).join(', ')}`,
  );
}

const mine = rows[0]!;
const mbs = (v: number): string => `${v.toFixed(1)} MB/s`;
for (const peer of rows.slice(1)) {
  reportTarget(
    `10 KB: faster than ${peer.name}`,
    mine.smallMbs > peer.smallMbs,
    `${mbs(mine.smallMbs)} vs ${mbs(peer.smallMbs)}; CPU per call ${mine.smallCpuMicros.toFixed(0)} vs ${peer.smallCpuMicros.toFixed(0)} µs`,
  );
  reportTarget(
    `1 MB: faster than ${peer.name}`,
    mine.largeMbs > peer.largeMbs,
    `${mbs(mine.largeMbs)} vs ${mbs(peer.largeMbs)}; CPU per call ${mine.largeCpuMillis.toFixed(2)} vs ${peer.largeCpuMillis.toFixed(2)} ms`,
  );
  reportTarget(
    `recall higher than ${peer.name}`,
    mine.recall > peer.recall,
    `${(mine.recall * 100).toFixed(1)}% vs ${(peer.recall * 100).toFixed(1)}%`,
  );
}

function timeMs(fn: () => unknown, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

// Hostile input: 1 MB strings built to make scanners backtrack or rescan.
const MB = 1_000_000;
const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
const hostile: Record<string, string> = {
  'digit run': fill('7'),
  'digits and separators': fill('1-2 3.4/5(6)'),
  'card-like groups': fill('4111 1111 1111 1112 '),
  "'@' and dots": fill('@.'),
  'local part then @': fill('a.b_c') + '@',
  'one letter': fill('a'),
  'hex and colons': fill('a:'),
  'IBAN-like words': fill('AB12 '),
  'JWT-like': fill('eyJa.'),
  labels: fill('born DOB npi mrn '),
  'JSON array of card-like strings': `[${fill('"4111 1111 1111 1112",').slice(0, MB - 40)}"x"]`,
  'JSON nested MCP-like objects': nestedBlocks(),
  'JSON escapes and quotes': JSON.stringify({ t: fill('\\"\n@1 ').slice(0, 600_000) }),
  'JSON string of labelled values': JSON.stringify({ t: fill('NPI 1234567893 ') }),
  'JSON array of private key headers': JSON.stringify(
    Array<string>(Math.floor(MB / 32)).fill('-----BEGIN PRIVATE KEY----- x'),
  ),
};
/** Objects nested 60 deep, each with a large body and `"type":"text"` last. */
function nestedBlocks(): string {
  const body = Array.from({ length: 380 }, (_, i) => `"k${i}":"4111 1111 1111 1112 x"`);
  let text = '{"text":"x","type":"text"}';
  for (let d = 0; d < 60; d++) text = `{${body.join(',')},"c":${text},"type":"text"}`;
  return text;
}
let worst = 0;
console.log('\n| hostile 1 MB input | ms (median of 5) |\n| --- | ---: |');
for (const [name, text] of Object.entries(hostile)) {
  const ms = timeMs(() => ours.mask(text), 5);
  worst = Math.max(worst, ms);
  console.log(`| ${name} | ${ms.toFixed(1)} |`);
}
reportTarget('1 MB of hostile input under 100 ms', worst < 100, `worst ${worst.toFixed(1)} ms`);
reportTarget(
  '1 MB of hostile input under 50 ms (margin for a loaded machine)',
  worst < 50,
  `worst ${worst.toFixed(1)} ms`,
);

writeSuiteResult('masking', {
  settings: { rounds, smallBytes, largeBytes },
  rows,
  hostileWorstMillis: worst,
});
