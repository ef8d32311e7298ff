import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The README's five-minute example must run as written.
describe('README', () => {
  it('the five-minute example runs: the backend verifies the guarded call and refuses an unsigned one', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Five minutes'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    // Inside the package (not its node_modules), so that `@agentguard/verify` resolves to
    // this package by self-reference and the other imports as a user's would.
    const dir = mkdtempSync(join(import.meta.dirname, '..', '.readme-'));
    const file = join(dir, 'example.mts');
    writeFileSync(file, code!);
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
    expect(output).toContain('verified: ana@acme.example acme orders.place');
    expect(output).toContain("{ placed: { sku: 'A-1', qty: 2 } }");
    expect(output).toContain("401 { error: 'invalid_signature', reason: 'missing_signature' }");
  });
});
