import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MemoryReplayStore } from '@agentguard/verify';

// The replay store keeps each nonce until its signature expires. A nonce is cut from the
// Signature-Input header, which a client can pad (members the signature does not cover): the
// store must keep the nonce, not the header.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('MemoryReplayStore memory', () => {
  it('keeps nonces, not the headers they were cut from', () => {
    const store = new MemoryReplayStore();
    const entries = 400;
    const header = (k: number): string =>
      `sig1=("@method");keyid="k1";nonce="nonce-${String(k).padStart(24, '0')}";pad="${'p'.repeat(8000)}"`;
    const nonceOf = (h: string): string => {
      const at = h.indexOf('nonce="') + 7;
      return h.slice(at, h.indexOf('"', at));
    };
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let k = 0; k < entries; k++) {
      expect(store.checkAndStore('k1', nonceOf(header(k)), Date.now() + 60_000)).toBe(true);
    }
    gc();
    // Kept with their headers, 400 nonces would hold 400 x 8 KB = 3.2 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(800_000);
    expect(store.size).toBe(entries);
    expect(store.checkAndStore('k1', nonceOf(header(7)), Date.now() + 60_000)).toBe(false);
  });
});
