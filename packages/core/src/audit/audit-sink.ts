import type { AuditEvent } from './audit-event.js';

/** Receives batches of audit events. */
export interface AuditSink {
  /** Stable name, used in counters and spill files. */
  readonly name: string;
  /** Writes one batch; rejects to have the batch retried. */
  write(events: readonly AuditEvent[]): Promise<void>;
  /** Called by `flush()` after the queue has drained. */
  flush?(): Promise<void>;
  /** Called once by `close()`. */
  close?(): Promise<void>;
}
