import { describe, expect, it } from 'vitest';
import { createMasker } from '../src/index.js';
import { CorpusBuilder, type LabeledDoc } from './fixtures/corpus.js';
import { score } from './fixtures/score.js';

const DOCS = 1200;

describe('labeled corpus (faker, fixed seed)', () => {
  const builder = new CorpusBuilder(20_261_123);
  const docs: LabeledDoc[] = Array.from({ length: DOCS }, (_, i) => builder.doc(i));
  const masker = createMasker();
  const outputs = docs.map((d) => masker.mask(d.value).value);
  const result = score(docs, outputs);

  it('reports precision and recall per category and meets the targets', () => {
    const rows: string[] = [
      '| category | planted | recall | precision |',
      '| --- | ---: | ---: | ---: |',
    ];
    const misses: string[] = [];
    for (const [type, s] of [...result.byType].sort()) {
      const recall = s.planted === 0 ? 1 : s.truePositives / s.planted;
      const precision = s.detected === 0 ? 1 : s.truePositives / s.detected;
      rows.push(
        `| ${type.replace('*', ' (free text)')} | ${s.planted} | ${recall.toFixed(4)} | ${precision.toFixed(4)} |`,
      );
      if (type.endsWith('*')) continue; // free-text dates of birth: reported, not held to the target
      if (s.planted > 0 && recall < 0.98) misses.push(`${type} recall ${recall.toFixed(4)}`);
      if (s.detected > 0 && precision < 0.98)
        misses.push(`${type} precision ${precision.toFixed(4)}`);
    }
    console.log(`\n${rows.join('\n')}\ndecoys kept: ${result.decoysKept}/${result.decoys}\n`);
    expect(misses).toEqual([]);
  });

  it('leaves every hard negative byte-identical', () => {
    expect(result.brokenDecoys).toEqual([]);
    expect(result.decoys).toBeGreaterThan(DOCS * 2);
  });

  it('returns untouched fields by reference', () => {
    const doc = docs.find((d) => 'tags' in d.value)!;
    const out = masker.mask(doc.value).value;
    expect(out['tags']).toBe(doc.value['tags']);
    expect(out).not.toBe(doc.value);
  });
});
