import { InternalGuardError } from '@agentguard/core';

/**
 * Thrown by `mask` when a string is longer than `maxStringLength` and `oversized` is
 * `reject`. The guard turns it into an `internal_error` rejection: the call fails closed and
 * the unmasked value never leaves.
 *
 * @example
 * try {
 *   masker.mask(hugeValue);
 * } catch (error) {
 *   if (error instanceof MaskingRejectedError) console.log(error.reason); // 'value_too_large'
 * }
 */
export class MaskingRejectedError extends InternalGuardError {
  /** JSON path of the value that was too large. */
  readonly path: string;
  constructor(path: string) {
    super({ reason: 'value_too_large' });
    this.message = 'value too large to mask';
    this.path = path;
  }
}
