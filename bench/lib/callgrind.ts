import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

// Instruction counts of a measured window, for the benches' count-instructions.ts scripts:
// valgrind's callgrind counts instructions, which do not move with other load on the machine.
// A script starts its process under `callgrindPrefix`, zeroes the counters after a warm-up
// (`callgrindControl('-z', pid)`), dumps them after the measured work (`'-d'`), and reads the
// dump with `readWindow`.

const execFileAsync = promisify(execFile);

/** Whether valgrind is installed. */
export function haveValgrind(): boolean {
  return spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The command (and its options) to run a process under callgrind, dumping to `outFile`. */
export function callgrindPrefix(outFile: string): string[] {
  return ['valgrind', '--quiet', '--tool=callgrind', `--callgrind-out-file=${outFile}`];
}

/**
 * Node's flags for a counted process: compilation and garbage collection on the main thread
 * (every instruction is counted), and fixed seeds, so that hash tables, and what depends on
 * their layout, are the same in every process (counts of one build then agree within 0.1%).
 */
export const COUNTED_NODE_FLAGS: readonly string[] = [
  '--single-threaded',
  '--hash-seed=1',
  '--random-seed=1',
];

/** Runs `callgrind_control` on a process without blocking the event loop. */
export async function callgrindControl(option: '-z' | '-d', pid: number): Promise<void> {
  await execFileAsync('callgrind_control', [option, String(pid)]);
}

/** What callgrind counted in one measured window. */
export interface WindowCount {
  readonly total: number;
  /** Inside V8's optimising compiler (Runtime_CompileOptimized, inclusive). */
  readonly compiler: number;
  /** Inside garbage collections (Heap::CollectGarbage, inclusive; marking steps not included). */
  readonly gc: number;
}

/** Reads the first numbered dump (the measured window) of a process that dumped to `outFile`. */
export async function readWindow(outFile: string): Promise<WindowCount> {
  const dump = `${outFile}.1`;
  const summary = /^(?:summary|totals): (\d+)$/m.exec(readFileSync(dump, 'utf8'));
  if (!summary) throw new Error(`${dump}: no callgrind summary`);
  const { stdout } = await execFileAsync(
    'callgrind_annotate',
    ['--inclusive=yes', '--threshold=100', dump],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return {
    total: Number(summary[1]),
    compiler: inclusive(stdout, 'v8::internal::Runtime_CompileOptimized('),
    gc: inclusive(stdout, 'v8::internal::Heap::CollectGarbage('),
  };
}

/**
 * The inclusive count of `fn` in callgrind_annotate's listing: its largest row (recursive
 * entries, suffixed `'2`, are left out; they are part of the outer one).
 */
function inclusive(listing: string, fn: string): number {
  let largest = 0;
  for (const line of listing.split('\n')) {
    const row = /^\s*([\d,]+) \([^)]*\)\s+\S*?:(.*)$/.exec(line);
    if (row === null || !row[2]!.startsWith(fn)) continue;
    if (/'\d/.test(row[2]!.split(' [')[0]!)) continue;
    largest = Math.max(largest, Number(row[1]!.replaceAll(',', '')));
  }
  return largest;
}
