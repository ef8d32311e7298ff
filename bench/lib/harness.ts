import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';

/** One measured case. */
export interface BenchCase {
  /** Row label, e.g. `agentguard guard() allowed call`. */
  readonly name: string;
  /** Library and version, or `agentguard`, or `node:crypto`. */
  readonly library: string;
  readonly fn: () => unknown;
  /** Optional note printed under the table. */
  readonly note?: string;
}

/** Options of {@link runSuite}. */
export interface SuiteOptions {
  /** Milliseconds each case is timed for. Default 1,000 (env BENCH_TIME overrides). */
  readonly time?: number;
  /** Warm-up milliseconds. Default 250 (env BENCH_WARMUP overrides). */
  readonly warmupTime?: number;
  /** Name of the case others are compared with (the "vs" column). */
  readonly baseline?: string;
}

/** A measured row. */
export interface BenchRow {
  readonly name: string;
  readonly library: string;
  readonly opsPerSecond: number;
  readonly meanMicros: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  readonly samples: number;
  readonly relative?: number;
}

/**
 * Runs every case with tinybench, prints a Markdown table and writes
 * `bench/results/<suite>.json`. Returns the rows for targets to check.
 */
export async function runSuite(
  suite: string,
  cases: readonly BenchCase[],
  options: SuiteOptions = {},
): Promise<BenchRow[]> {
  const time = Number(process.env['BENCH_TIME'] ?? options.time ?? 1_000);
  const warmupTime = Number(process.env['BENCH_WARMUP'] ?? options.warmupTime ?? 250);
  const bench = new Bench({ time, warmupTime, warmup: true });
  for (const c of cases) bench.add(c.name, c.fn);
  await bench.run();
  const rows: BenchRow[] = [];
  for (const c of cases) {
    const task = bench.getTask(c.name);
    const result = task?.result;
    if (!result || result.state !== 'completed') {
      throw new Error(`bench case failed: ${c.name} (${result?.state ?? 'no result'})`);
    }
    const latency = result.latency;
    rows.push({
      name: c.name,
      library: c.library,
      opsPerSecond: result.throughput.mean,
      meanMicros: latency.mean * 1000,
      p50Micros: latency.p50 * 1000,
      p99Micros: latency.p99 * 1000,
      samples: latency.samplesCount,
    });
  }
  const base = options.baseline ? rows.find((r) => r.name === options.baseline) : undefined;
  const finalRows = rows.map((r) =>
    base ? { ...r, relative: r.opsPerSecond / base.opsPerSecond } : r,
  );
  printTable(suite, finalRows, cases);
  writeResult(suite, finalRows);
  return finalRows;
}

/** Prints a target line: PASS or MISS with the numbers. Returns whether it passed. */
export function reportTarget(label: string, passed: boolean, detail: string): boolean {
  console.log(`target: ${passed ? 'PASS' : 'MISS'} ${label} (${detail})`);
  return passed;
}

function fmt(n: number, digits = 2): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function printTable(suite: string, rows: readonly BenchRow[], cases: readonly BenchCase[]): void {
  const hasRelative = rows.some((r) => r.relative !== undefined);
  console.log(`\n## ${suite}\n`);
  console.log(
    `| case | library | ops/s | mean µs | p50 µs | p99 µs |${hasRelative ? ' vs baseline |' : ''}`,
  );
  console.log(`| --- | --- | ---: | ---: | ---: | ---: |${hasRelative ? ' ---: |' : ''}`);
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.library} | ${fmt(r.opsPerSecond, 0)} | ${fmt(r.meanMicros)} | ${fmt(
        r.p50Micros,
      )} | ${fmt(r.p99Micros)} |${hasRelative ? ` x${fmt(r.relative ?? 1)} |` : ''}`,
    );
  }
  for (const c of cases) if (c.note) console.log(`- *${c.name}*: ${c.note}`);
}

function writeResult(suite: string, rows: readonly BenchRow[]): void {
  writeSuiteResult(suite, { rows });
}

/**
 * Writes `bench/results/<suite>.json`: the suite name, the date and the machine, then `body`
 * (rows, settings, whatever the suite measured).
 */
export function writeSuiteResult(suite: string, body: Readonly<Record<string, unknown>>): void {
  const dir = join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${suite.replace(/[^\w.-]+/g, '-')}.json`);
  const machine = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
  };
  const result = { suite, date: new Date().toISOString(), machine, ...body };
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
}
