import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `pnpm demo` is the README's first command: it must finish quickly and exit 0 only when every
// scenario produced its expected outcome.
describe('pnpm demo', () => {
  it('runs every scenario to its expected outcome, in well under 20 s', async () => {
    const started = Date.now();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=@agentguard/source',
        '--import',
        'tsx',
        join(import.meta.dirname, '..', 'src', 'main.ts'),
      ],
      { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(stdout).toMatch(/all \d+ scenarios produced the expected outcome/);
    expect(stdout).not.toContain('✘');
    expect(stdout).toContain('tokens in the audit trail: none');
    expect(stdout).toMatch(/email\s+\[EMAIL\]/);
  });
});
