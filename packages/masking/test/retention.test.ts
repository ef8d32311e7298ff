import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createMasker } from '../src/index.js';
import { runDigitsBuffer } from '../src/lib/digits.js';

// The masker remembers the keys it meets (a bounded table per profile). A key read from a
// JSON text must not keep that text alive: otherwise every response with a key of its own
// stays in memory, with the data in it, up to the table's size times the largest response.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const RESPONSES = 60;
const FILLER = 'lorem ipsum dolor sit amet '.repeat(37_000); // ~1 MB

function retainedAfter(textOf: (k: number) => string): number {
  const masker = createMasker();
  masker.mask(textOf(-1));
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let k = 0; k < RESPONSES; k++) masker.mask(textOf(k));
  gc();
  return process.memoryUsage().heapUsed - before;
}

describe('memory held after masking', () => {
  it('keys of JSON texts do not keep the responses they came from', () => {
    // One long key per response (a short one is copied by V8 anyway).
    const retained = retainedAfter((k) =>
      JSON.stringify({ [`uniqueFieldNameNumber${k}`]: 'x', notes: `${FILLER}${k}` }),
    );
    // 60 responses of 1 MB: kept, they would be 60 MB or more.
    expect(retained).toBeLessThan(8_000_000);
  });

  it('keys written with escapes do not keep them either', () => {
    const retained = retainedAfter(
      (k) => `{"uniqueFieldNameNumber\\u0041${k}":"x","notes":${JSON.stringify(`${FILLER}${k}`)}}`,
    );
    expect(retained).toBeLessThan(8_000_000);
  });

  it('a copied key is the same key (lone surrogates and all)', () => {
    const masker = createMasker();
    const key = 'email\ud800Address-long-enough';
    const text = JSON.stringify({ [key]: 'ada@example.com' });
    const out = masker.mask(text);
    expect(JSON.parse(out.value)).toEqual({ [key]: '[EMAIL]' });
    expect(out.findings.paths).toEqual([`$[${JSON.stringify(key)}]`]);
  });
});

describe('digits held after masking', () => {
  it('the digit values of a run are zeroed once it is classified', () => {
    const masker = createMasker();
    const out = masker.mask('card 4111 1111 1111 1111, call +44 20 7946 0958');
    expect(out.findings.byCategory).toEqual({ CREDIT_CARD: 1, PHONE: 1 });
    expect(runDigitsBuffer().every((d) => d === 0)).toBe(true);
    // And after a run longer than the buffer kept between calls.
    masker.mask(`${'4111 1111 1111 1112 '.repeat(1000)}x`);
    expect(runDigitsBuffer().length).toBeLessThanOrEqual(4096);
    expect(runDigitsBuffer().every((d) => d === 0)).toBe(true);
  });
});
