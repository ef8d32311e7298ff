import type { GuardError } from './errors.js';

/** A value or a promise of it: stages may answer synchronously to keep the hot path cheap. */
export type MaybePromise<T> = T | Promise<T>;

/** What every stage returns: a value, or the rejection to send. Stages return, they don't throw. */
export type StageResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: GuardError };

/** `{ ok: true, value }`. */
export function ok<T>(value: T): StageResult<T> {
  return { ok: true, value };
}

/** `{ ok: false, error }`. */
export function fail<T = never>(error: GuardError): StageResult<T> {
  return { ok: false, error };
}
