import type { GuardError } from '@agentguard/core';

/**
 * A JSON-RPC error thrown from a request handler. Both SDK majors answer a thrown error with
 * its numeric `code`, `message` and `data`, so this needs neither SDK's own error class.
 */
export class GuardProtocolError extends Error {
  readonly code: number;
  readonly data: Record<string, unknown>;
  constructor(error: GuardError) {
    super(error.message);
    this.name = 'GuardProtocolError';
    this.code = error.jsonRpcCode;
    this.data = { ...error.toJSON() };
  }
}
