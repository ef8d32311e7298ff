/** Where the CLI writes: anything with `write(text)` (process.stdout, a test buffer). */
export interface CliOutput {
  write(text: string): unknown;
}

/** The CLI's environment, injected so it runs in-process in tests. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Directory relative paths are resolved from. Default `process.cwd()`. */
  readonly cwd?: string | undefined;
}
