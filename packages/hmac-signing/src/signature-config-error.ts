/**
 * A mistake in how a signer or verifier was set up, thrown at construction time (never sent to
 * a caller). Same shape as core's `GuardConfigError` (`code: 'config_invalid'`, `path`), kept
 * here so that neither this package nor `@agentguard/verify` depends on core at run time.
 */
export class SignatureConfigError extends Error {
  readonly code = 'config_invalid' as const;
  /** Path of the offending option, for example `keys[1].secret`. */
  readonly path: string | undefined;
  constructor(message: string, options: { path?: string; cause?: unknown } = {}) {
    super(
      options.path === undefined ? message : `${options.path}: ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'SignatureConfigError';
    this.path = options.path;
  }
}
