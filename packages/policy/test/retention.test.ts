import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ipInCidrs } from '../src/lib/ip-match.js';

// cidr_match remembers the address blocks it built (256 lists). A list can come from the
// request (a rule may compare with `{ var: … }`): what it keeps must not keep that text.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('cidr_match cache memory', () => {
  it('keeps its own copy of each list, not the text the list was cut from', () => {
    const lists = 200;
    gc();
    const before = process.memoryUsage().heapUsed;
    let inside = 0;
    for (let k = 0; k < lists; k++) {
      const text = `10.${k}.0.0/16,`.padEnd(16_000, ' ');
      if (ipInCidrs(`10.${k}.1.2`, text.slice(0, text.indexOf(',')))) inside++;
    }
    gc();
    expect(inside).toBe(lists);
    // Kept as slices, the 200 lists would hold 200 x 16 KB = 3.2 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(1_000_000);
  });
});
