import type { CorpusBuilder, LabeledDoc } from '../test/fixtures/corpus.js';

// The responses the masking benches mask: corpus records gathered into one MCP tool result
// (a text block and structuredContent), with the values planted in them and the decoys.

export interface Doc {
  readonly text: string;
  readonly planted: readonly string[];
  readonly decoys: readonly string[];
}

/** Records from `start` on, until the JSON text reaches `targetBytes`. */
export function buildDoc(
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
