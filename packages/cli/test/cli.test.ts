import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd: fixtures,
  });
  return { code, stdout, stderr };
}

describe('agentguard policy test', () => {
  it('exits 0 when every outcome matches, with a readable report', async () => {
    const { code, stdout, stderr } = await run('policy', 'test', 'passing.test.yaml');
    expect(stderr).toBe('');
    expect(stdout).toContain('✓ big refund needs approval (require_approval)');
    expect(stdout).toContain('✓ deletes need a recent gold authentication (step_up)');
    expect(stdout).toContain('5 passed, 0 failed, 5 total');
    expect(code).toBe(0);
  });

  it('exits 1 on a mismatch and explains which policies decided', async () => {
    const { code, stdout } = await run(
      'policy',
      'test',
      'failing.test.yaml',
      '--config',
      'agentguard.yaml',
    );
    expect(code).toBe(1);
    expect(stdout).toContain('✗ wrong expectation: expected allow, got require_approval');
    expect(stdout).toContain(
      'global/no-big-refunds (require_approval): matched, decided at $ [decisive]',
    );
    expect(stdout).toContain('✗ wrong masks: expected mask profiles [pci], got [pii]');
    expect(stdout).toContain('1 passed, 2 failed, 3 total');
  });

  it('exits 2 on usage and config errors', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('policy', 'lint')).stderr).toContain('unknown command');
    expect((await run('policy', 'test')).code).toBe(2);
    expect((await run('policy', 'test', 'passing.test.yaml', '--config')).code).toBe(2);
    expect((await run('policy', 'test', 'missing.yaml')).stderr).toContain('cannot read');
    const badConfig = await run(
      'policy',
      'test',
      'passing.test.yaml',
      '--config',
      'bad-config.yaml',
    );
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('policies[0].condition: unknown operator "regex"');
    const badTests = await run('policy', 'test', 'bad-tests.yaml', '--config', 'agentguard.yaml');
    expect(badTests.code).toBe(2);
    expect(badTests.stderr).toContain('tests.0.expect');
    expect((await run('--help')).code).toBe(0);
  });

  it('runs as a bin through node', () => {
    const result = spawnSync(
      process.execPath,
      [
        '--conditions=@agentguard/source',
        '--import',
        'tsx',
        join(import.meta.dirname, '..', 'src', 'cli.ts'),
        'policy',
        'test',
        'failing.test.yaml',
      ],
      { cwd: fixtures, encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('2 failed');
  });
});
