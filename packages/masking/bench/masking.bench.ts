import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { reportTarget, runSuite, type BenchRow } from '../../../bench/lib/harness.js';
import { createMasker } from '@agentguard/masking';
import { CorpusBuilder, type LabeledDoc } from '../test/fixtures/corpus.js';

// Text in, text out: every library receives the JSON text of a tool response.
const require = createRequire(import.meta.url);
const { SyncRedactor } = require('redact-pii') as {
  SyncRedactor: new () => { redact(s: string): string };
};
const { Redactor } = require('@redactpii/node') as {
  Redactor: new () => { redact(s: string): string };
};
const { PiiSanitizer } = require('@cdssnc/sanitize-pii') as {
  PiiSanitizer: new () => { sanitize(s: string): string };
};
const { removePII } = (await import('@coffeeandfun/remove-pii')) as {
  removePII: (s: string) => string;
};
const root = join(import.meta.dirname, '..', '..', '..');
const version = (name: string): string =>
  (
    JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

interface Doc {
  readonly text: string;
  readonly planted: readonly string[];
  readonly decoys: readonly string[];
}

function buildDoc(
  builder: CorpusBuilder,
  start: number,
  targetBytes: number,
): { doc: Doc; next: number } {
  const records: LabeledDoc[] = [];
  let size = 2;
  let i = start;
  while (size < targetBytes) {
    const d = builder.doc(i++);
    records.push(d);
    size += JSON.stringify(d.value).length + 1;
  }
  const text = JSON.stringify({
    content: [{ type: 'text', text: 'results' }],
    structuredContent: { records: records.map((r) => r.value) },
  });
  return {
    doc: {
      text,
      planted: [...new Set(records.flatMap((r) => r.planted.map((p) => p.value)))],
      decoys: [...new Set(records.flatMap((r) => r.decoys.map((d) => d.value)))],
    },
    next: i,
  };
}

const builder = new CorpusBuilder(424_242);
const small: Doc[] = [];
let cursor = 0;
for (let k = 0; k < 16; k++) {
  const built = buildDoc(builder, cursor, 10_000);
  small.push(built.doc);
  cursor = built.next;
}
const large = buildDoc(builder, cursor, 1_000_000).doc;

const ours = createMasker();
const redactPii = new SyncRedactor();
const redactpiiNode = new Redactor();
const sanitizer = new PiiSanitizer();

interface Lib {
  readonly name: string;
  readonly library: string;
  readonly run: (text: string) => string;
}
const libs: Lib[] = [
  {
    name: 'agentguard createMasker (defaults)',
    library: '@agentguard/masking',
    run: (t) => ours.mask(t).value,
  },
  {
    name: 'redact-pii SyncRedactor',
    library: `redact-pii@${version('redact-pii')}`,
    run: (t) => redactPii.redact(t),
  },
  {
    name: '@redactpii/node Redactor',
    library: `@redactpii/node@${version('@redactpii/node')}`,
    run: (t) => redactpiiNode.redact(t),
  },
  {
    name: '@coffeeandfun/remove-pii removePII',
    library: `@coffeeandfun/remove-pii@${version('@coffeeandfun/remove-pii')}`,
    run: (t) => removePII(t),
  },
  {
    name: '@cdssnc/sanitize-pii PiiSanitizer',
    library: `@cdssnc/sanitize-pii@${version('@cdssnc/sanitize-pii')}`,
    run: (t) => sanitizer.sanitize(t),
  },
];

function quality(lib: Lib): { recall: number; decoysKept: number; validJson: boolean } {
  const out = lib.run(large.text);
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

const smallBytes = small.reduce((n, d) => n + Buffer.byteLength(d.text), 0) / small.length;
const largeBytes = Buffer.byteLength(large.text);
console.log(
  `corpus: 16 responses of ~${Math.round(smallBytes)} B, one of ${largeBytes} B; ${large.planted.length} planted values and ${large.decoys.length} decoys in the large one`,
);

let s = 0;
const smallRows = await runSuite(
  'masking-10kb',
  libs.map((lib) => ({
    name: `${lib.name} 10 KB`,
    library: lib.library,
    fn: () => lib.run(small[s++ % 16]!.text),
  })),
  { baseline: `${libs[0]!.name} 10 KB` },
);
const fastLibs = libs.filter((l) => !l.name.startsWith('redact-pii'));
const largeRows = await runSuite(
  'masking-1mb',
  fastLibs.map((lib) => ({
    name: `${lib.name} 1 MB`,
    library: lib.library,
    fn: () => lib.run(large.text),
  })),
  { baseline: `${libs[0]!.name} 1 MB` },
);

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

// redact-pii takes about half a second per megabyte: timed by hand, three runs.
const slowLarge = timeMs(() => redactPii.redact(large.text), 3);

console.log('\n## masking: speed beside quality (same corpus)\n');
console.log(
  '| redactor | library | 10 KB MB/s | 10 KB p50 / p99 | 1 MB MB/s | 1 MB per response | recall | decoys kept | valid JSON |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
const summary: { name: string; smallMbs: number; largeMbs: number; recall: number }[] = [];
for (const lib of libs) {
  const sr = smallRows.find((r) => r.name.startsWith(lib.name))!;
  const lr: BenchRow | undefined = largeRows.find((r) => r.name.startsWith(lib.name));
  const largeMs = lr ? lr.meanMicros / 1000 : slowLarge;
  const q = quality(lib);
  const smallMbs = (sr.opsPerSecond * smallBytes) / 1e6;
  const largeMbs = largeBytes / 1e6 / (largeMs / 1000);
  summary.push({ name: lib.name, smallMbs, largeMbs, recall: q.recall });
  console.log(
    `| ${lib.name} | ${lib.library} | ${smallMbs.toFixed(2)} | ${sr.p50Micros.toFixed(0)} µs / ${sr.p99Micros.toFixed(0)} µs | ${largeMbs.toFixed(2)} | ${largeMs.toFixed(2)} ms${lr ? '' : ' (3 runs)'} | ${(q.recall * 100).toFixed(1)}% | ${(q.decoysKept * 100).toFixed(1)}% | ${q.validJson ? 'yes' : 'no'} |`,
  );
}

const mine = summary[0]!;
const mbs = (v: number): string => `${v.toFixed(1)} MB/s`;
for (const peer of summary.slice(1)) {
  reportTarget(
    `10 KB: faster than ${peer.name}`,
    mine.smallMbs > peer.smallMbs,
    `${mbs(mine.smallMbs)} vs ${mbs(peer.smallMbs)}`,
  );
  reportTarget(
    `1 MB: faster than ${peer.name}`,
    mine.largeMbs > peer.largeMbs,
    `${mbs(mine.largeMbs)} vs ${mbs(peer.largeMbs)}`,
  );
  reportTarget(
    `recall higher than ${peer.name}`,
    mine.recall > peer.recall,
    `${(mine.recall * 100).toFixed(1)}% vs ${(peer.recall * 100).toFixed(1)}%`,
  );
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
