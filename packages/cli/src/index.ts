export { runCli } from './run-cli.js';
export type { CliIo, CliOutput } from './cli-io.js';
