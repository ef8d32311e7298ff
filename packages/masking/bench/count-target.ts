import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PEERS } from './peers.js';

// One process counted by count-instructions.ts (under valgrind's callgrind): loads one
// redactor, masks `warm` of the 10 KB responses, says "warm" and waits; on "go" masks
// `measured` more, says "done" and waits; on "exit" ends. The driver zeroes callgrind's
// counters between "warm" and "go" and dumps them after "done", so the count holds the
// measured calls only.
//   node --import tsx count-target.ts <peer id> <corpus file> <warm> <measured>
const [id, corpusFile, warmArg, measuredArg] = process.argv.slice(2);
const peer = PEERS.find((p) => p.id === id);
if (peer === undefined || corpusFile === undefined)
  throw new Error('usage: <peer id> <corpus file> <warm> <measured>');
const { small } = JSON.parse(readFileSync(corpusFile, 'utf8')) as { small: string[] };
const run = await peer.load();
let sink = 0;
let i = 0;
const mask = (calls: number): void => {
  for (let k = 0; k < calls; k++) sink += run(small[i++ % small.length]!).length;
};
mask(Number(warmArg));
console.log('warm');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'go') {
    mask(Number(measuredArg));
    console.log('done');
  } else if (line === 'exit') {
    break;
  }
}
if (sink === 0) throw new Error('nothing masked');
// (stdin, read by the loop above, would keep the process alive.)
process.exit(0);
