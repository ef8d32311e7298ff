import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The README's five-minute example must run as written.
describe('README', () => {
  it('the quick-start example runs and prints what the README says', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Five minutes'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    const dir = mkdtempSync(join(import.meta.dirname, '..', 'node_modules', '.readme-'));
    const file = join(dir, 'example.mts');
    writeFileSync(file, code!);
    // Inside the package's node_modules, so the example's imports resolve as a user's would.
    let output: string;
    try {
      output = execFileSync(
        process.execPath,
        ['--conditions=@agentguard/source', '--import', 'tsx', file],
        {
          encoding: 'utf8',
          cwd: join(import.meta.dirname, '..'),
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(output).toContain('"outcome":"allowed"');
    expect(output).toContain("code: 'invalid_input'");
    expect(output).toContain('unknown key: admin');
  });
});
