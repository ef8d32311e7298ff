import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs the first ```ts block after `heading` in a package's README, as a user would run it,
 * and returns what it printed. The file is written inside the package (not its node_modules),
 * so `@agentguard/<package>` resolves by self-reference and the other imports as a user's
 * would; sources are used through the `@agentguard/source` condition.
 */
export function runReadmeExample(packageDir: string, heading = '## Five minutes'): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`README has no "${heading}" section`);
  const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  if (code === undefined) throw new Error(`no ts block under "${heading}"`);
  const dir = mkdtempSync(join(packageDir, '.readme-'));
  const file = join(dir, 'example.mts');
  writeFileSync(file, code);
  try {
    return execFileSync(
      process.execPath,
      ['--conditions=@agentguard/source', '--import', 'tsx', file],
      {
        encoding: 'utf8',
        cwd: packageDir,
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
