import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// Runs every `packages/*/bench/*.bench.ts` (or those whose path contains an argument) each in
// its own process, so one suite's JIT state and garbage cannot skew another's.
const root = join(import.meta.dirname, '..');
const filters = process.argv.slice(2);
const files: string[] = [];
for (const group of ['packages', 'bench/suites']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  if (group === 'packages') {
    for (const pkg of readdirSync(dir)) {
      const benchDir = join(dir, pkg, 'bench');
      if (!existsSync(benchDir)) continue;
      for (const f of readdirSync(benchDir))
        if (f.endsWith('.bench.ts')) files.push(join(benchDir, f));
    }
  } else {
    for (const f of readdirSync(dir)) if (f.endsWith('.bench.ts')) files.push(join(dir, f));
  }
}
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
let failed = 0;
for (const file of selected) {
  console.log(`\n# ${file.slice(root.length + 1)}`);
  const run = spawnSync(
    process.execPath,
    // Benchmarks measure the built packages (dist/), as users run them.
    ['--import', 'tsx', file],
    { stdio: 'inherit', cwd: root },
  );
  if (run.status !== 0) failed += 1;
}
console.log(`\n${selected.length - failed} suites ran, ${failed} failed; JSON in bench/results/`);
process.exit(failed > 0 ? 1 : 0);
