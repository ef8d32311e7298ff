import type { CliIo } from './cli-io.js';
import { policyTest, UsageError } from './lib/policy-test.js';

const USAGE = `usage: agentguard <command>

commands:
  policy test <tests.yaml> [--config <agentguard.yaml>]
      Runs the example calls of the tests file against the config's policies.
      Exit code 0 when every outcome matches, 1 on a mismatch, 2 on a usage or config error.
`;

/**
 * Runs the `agentguard` command line with `argv` (without `node` and the script) and returns
 * the exit code. Writes only to the given streams, so it runs in-process in tests.
 *
 * @example
 * const code = await runCli(['policy', 'test', 'policies.test.yaml'], { stdout: process.stdout, stderr: process.stderr });
 * process.exitCode = code;
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  try {
    if (command === 'policy' && sub === 'test') {
      let config: string | undefined;
      const positional: string[] = [];
      for (let i = 0; i < rest.length; i += 1) {
        const arg = rest[i]!;
        if (arg === '--config' || arg === '-c') {
          const value = rest[i + 1];
          if (value === undefined) throw new UsageError('--config needs a path');
          config = value;
          i += 1;
        } else if (arg.startsWith('--config=')) {
          config = arg.slice('--config='.length);
        } else if (arg.startsWith('-')) {
          throw new UsageError(`unknown option ${arg}`);
        } else {
          positional.push(arg);
        }
      }
      if (positional.length !== 1) throw new UsageError('policy test needs one tests file');
      return await policyTest(positional[0]!, config, io);
    }
    throw new UsageError(`unknown command: ${[command, sub].filter(Boolean).join(' ')}`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`agentguard: ${error.message}\n`);
      if (error.message.startsWith('unknown') || error.message.includes('needs'))
        io.stderr.write(USAGE);
      return 2;
    }
    io.stderr.write(`agentguard: ${error instanceof Error ? error.message : 'failed'}\n`);
    return 2;
  }
}
