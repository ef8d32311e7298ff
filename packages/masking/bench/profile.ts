import { createMasker } from '@agentguard/masking';
import { CorpusBuilder } from '../test/fixtures/corpus.js';
import { buildDoc } from './corpus-docs.js';

// Masks the bench's kind of 1 MB (or 10 KB) response in a loop, for a CPU profile of the built
// package (not a benchmark; bench/run.ts does not run it):
//   pnpm --filter @agentguard/masking build
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx packages/masking/bench/profile.ts 1mb
// then sum the self time per function of the .cpuprofile.
const size = process.argv[2] === '10kb' ? 10_000 : 1_000_000;
const runs = Number(process.argv[3] ?? (size > 10_000 ? 100 : 10_000));

const text = buildDoc(new CorpusBuilder(424_242), 0, size).doc.text;

const masker = createMasker();
const start = performance.now();
for (let i = 0; i < runs; i++) masker.mask(text);
const ms = (performance.now() - start) / runs;
console.log(`${text.length} B: ${ms.toFixed(3)} ms per response (${runs} runs)`);
