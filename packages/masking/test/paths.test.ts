import { describe, expect, it } from 'vitest';
import { createMasker } from '../src/index.js';
import { formatPath } from '../src/lib/paths.js';
import { CorpusBuilder } from './fixtures/corpus.js';

// Findings paths are tracked by id while masking and formatted once per new path. These tests
// check them against an independent oracle: the paths of the leaves the output changed.

/** Paths (in document order) of the leaves of `input` that differ in `output`. */
function changedLeaves(input: unknown, output: unknown, stack: (string | number)[] = []): string[] {
  if (input === output) return [];
  if (
    typeof input === 'object' &&
    input !== null &&
    typeof output === 'object' &&
    output !== null
  ) {
    const out: string[] = [];
    if (Array.isArray(input)) {
      input.forEach((item, i) => {
        out.push(...changedLeaves(item, (output as unknown[])[i], [...stack, i]));
      });
    } else {
      for (const [key, item] of Object.entries(input)) {
        out.push(...changedLeaves(item, (output as Record<string, unknown>)[key], [...stack, key]));
      }
    }
    return out;
  }
  return [formatPath(stack)];
}

const builder = new CorpusBuilder(7_001);
const records = Array.from({ length: 60 }, (_, i) => builder.doc(i).value);

describe('findings paths', () => {
  it('are the changed leaves, each once, in document order (objects and JSON text)', () => {
    const masker = createMasker();
    const input = { content: [{ type: 'text', text: 'mail ada@example.com' }], records };
    const { value, findings } = masker.mask(input);
    const expected = changedLeaves(input, value);
    expect(expected.length).toBeGreaterThan(100);
    expect(findings.paths).toEqual(expected);
    expect(findings.total).toBeGreaterThanOrEqual(expected.length);

    const text = JSON.stringify(input);
    const fromText = masker.mask(text);
    expect(fromText.findings.paths).toEqual(expected);
    expect(JSON.parse(fromText.value)).toEqual(value);
  });

  it('list a path with several findings once', () => {
    const masker = createMasker();
    const { findings } = masker.mask({
      a: 'ada@example.com and bob@example.org, card 4111 1111 1111 1111',
      b: 'none here',
      c: ['x@example.com', 'y@example.com'],
    });
    expect(findings.total).toBe(5);
    expect(findings.paths).toEqual(['$.a', '$.c[0]', '$.c[1]']);
  });

  it('are the same when the JSON text pass is undone and redone (MCP block found late)', () => {
    const masker = createMasker();
    // The block's `type` comes after a masked field: the pass masks `text`, then sees the block
    // and hands the whole text to the general path, which records the same findings again.
    const block = { text: 'ada@example.com', type: 'text' };
    const input = { before: 'bob@example.org', content: [block], after: 'cy@example.net' };
    const fromText = masker.mask(JSON.stringify(input));
    const fromValue = masker.mask(input);
    expect(fromValue.findings.paths).toEqual(['$.before', '$.content[0].text', '$.after']);
    expect(fromText.findings).toEqual(fromValue.findings);
  });

  it('stop at 1000 distinct paths while the counts go on', () => {
    const masker = createMasker();
    const many = Array.from({ length: 1_200 }, (_, i) => `user${i}@example.com`);
    const { findings } = masker.mask({ many, again: many.slice(0, 3) });
    expect(findings.total).toBe(1_203);
    expect(findings.paths).toHaveLength(1_000);
    expect(new Set(findings.paths).size).toBe(1_000);
    expect(findings.paths[999]).toBe('$.many[999]');
  });
});

describe('replacements in JSON text', () => {
  it('are escaped as JSON.stringify escapes them', () => {
    const masker = createMasker({
      strategies: {
        EMAIL: { type: 'redact', label: 'said "\\ mail\t😀' },
        PHONE: { type: 'redact', label: '\ud800' },
      },
    });
    const input = {
      note: 'write to ada@example.com or call +1 415 555 0100 😀 now',
      list: ['bob@example.org', 'x'],
    };
    const text = JSON.stringify(input);
    const fromText = masker.mask(text);
    const fromValue = masker.mask(input);
    expect(fromValue.findings.total).toBe(3);
    expect(fromText.value).toBe(JSON.stringify(fromValue.value));
    expect(fromText.findings).toEqual(fromValue.findings);
    expect(JSON.parse(fromText.value)).toEqual(fromValue.value);
  });
});
