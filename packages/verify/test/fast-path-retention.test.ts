import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { fastSignatureInput } from '../src/lib/fast-signature-fields.js';

// The fast path remembers the component lists it has read (64, before any signature is
// checked): what it keeps must not keep the Signature-Input header it read them from.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('component list cache memory', () => {
  it('keeps copies of the lists and names, not the headers', () => {
    const headers = 60;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let k = 0; k < headers; k++) {
      const field = `sig1=("@method" "content-digest-${k}");keyid="k1";pad="${'p'.repeat(16_000)}"`;
      expect(fastSignatureInput(field, 'sig1')?.names).toEqual(['@method', `content-digest-${k}`]);
    }
    gc();
    // Kept with their headers, 60 lists would hold 60 x 16 KB = 960 KB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(300_000);
  });
});
