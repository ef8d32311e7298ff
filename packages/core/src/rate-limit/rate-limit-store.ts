import type { MaybePromise } from '../result.js';

/** Which algorithm a limit uses. */
export type RateLimitAlgorithm = 'sliding-window' | 'token-bucket';

/** The numbers a store needs to apply one limit. */
export interface RateLimitSpec {
  readonly algorithm: RateLimitAlgorithm;
  /** Calls allowed per window (sliding window), or bucket capacity (token bucket). */
  readonly limit: number;
  /** Window length (sliding window), or time to refill the whole bucket (token bucket). */
  readonly windowMs: number;
}

/** The state of one key after a hit. */
export interface RateLimitState {
  readonly allowed: boolean;
  /** Calls left before the limit is reached. */
  readonly remaining: number;
  /** Milliseconds until a call would be allowed again (0 when allowed). */
  readonly retryAfterMs: number;
  /** Milliseconds until the limit is fully available again. */
  readonly resetMs: number;
}

/**
 * Counts calls per key. Implementations must make `hit` atomic per key, since several
 * instances share one store (the Redis store does it in one script).
 */
export interface RateLimitStore {
  hit(key: string, spec: RateLimitSpec, now: number): MaybePromise<RateLimitState>;
}
