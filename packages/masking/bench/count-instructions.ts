import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  COUNTED_NODE_FLAGS,
  callgrindControl,
  callgrindPrefix,
  haveValgrind,
  readWindow,
  type WindowCount,
} from '../../../bench/lib/callgrind.js';
import { buildDoc } from './corpus-docs.js';
import { CorpusBuilder } from '../test/fixtures/corpus.js';

// Instructions per 10 KB call of the masker and of the peers named on the command line,
// counted by valgrind's callgrind (a count, unlike a time, does not move with the machine's
// load): each library runs in a process of its own (count-target.ts) on the bench's 16
// responses; after `warm` calls callgrind's counters are zeroed, `measured` calls are made
// and the counters dumped, so start-up and most JIT compilation stay out of the count.
//   node --import tsx packages/masking/bench/count-instructions.ts [warm] [measured] [peer ids]
// Defaults: 3000 warm-up calls, 2000 measured, agentguard and redactpii-node.
const [warmArg, measuredArg, ...ids] = process.argv.slice(2);
const warm = Number(warmArg ?? 3000);
const measured = Number(measuredArg ?? 2000);
const peers = ids.length > 0 ? ids : ['agentguard', 'redactpii-node'];
if (!haveValgrind()) {
  console.error('valgrind is not installed: nothing to count with');
  process.exit(1);
}

const builder = new CorpusBuilder(424_242);
const small: string[] = [];
let cursor = 0;
for (let k = 0; k < 16; k++) {
  const built = buildDoc(builder, cursor, 10_000);
  small.push(built.doc.text);
  cursor = built.next;
}
const dir = mkdtempSync(join(tmpdir(), 'agentguard-masking-count-'));
const corpusFile = join(dir, 'corpus.json');
writeFileSync(corpusFile, JSON.stringify({ small, large: '' }));

/** Waits for the next line `child` prints. */
function nextLine(lines: AsyncIterator<string>, child: ChildProcess): Promise<string> {
  return lines.next().then((r) => {
    if (r.done === true) throw new Error(`process ${child.pid} ended early`);
    return r.value;
  });
}

/** What callgrind counted in `measured` calls of one library (after `warm`). */
async function count(id: string): Promise<WindowCount> {
  const out = join(dir, `${id}.callgrind`);
  const [command, ...prefix] = callgrindPrefix(out);
  const child = spawn(
    command!,
    [
      ...prefix,
      process.execPath,
      ...COUNTED_NODE_FLAGS,
      '--import',
      'tsx',
      join(import.meta.dirname, 'count-target.ts'),
      id,
      corpusFile,
      String(warm),
      String(measured),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ended = new Promise((resolve) => child.once('exit', resolve));
  try {
    if ((await nextLine(lines, child)) !== 'warm') throw new Error(`${id}: unexpected output`);
    await callgrindControl('-z', child.pid!);
    child.stdin.write('go\n');
    if ((await nextLine(lines, child)) !== 'done') throw new Error(`${id}: unexpected output`);
    await callgrindControl('-d', child.pid!);
    child.stdin.write('exit\n');
    await ended;
  } finally {
    child.kill();
  }
  return readWindow(out);
}

try {
  const counts = await Promise.all(peers.map(count));
  const per = (n: number): string => Math.round(n / measured).toLocaleString('en-US');
  const rest = (c: WindowCount): number => c.total - c.compiler - c.gc;
  console.log(
    `instructions per 10 KB call (callgrind; ${warm} calls of warm-up, ${measured} counted)\n`,
  );
  console.log(
    '| redactor | instructions | × the first | compiler | GC | without compiler and GC | × the first |\n' +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  peers.forEach((id, k) => {
    const c = counts[k]!;
    const first = counts[0]!;
    console.log(
      `| ${id} | ${per(c.total)} | ×${(c.total / first.total).toFixed(3)} | ${per(c.compiler)} | ` +
        `${per(c.gc)} | ${per(rest(c))} | ×${(rest(c) / rest(first)).toFixed(3)} |`,
    );
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
