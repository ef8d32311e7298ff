import type { AuditEvent } from './audit-event.js';
import type { AuditSink } from './audit-sink.js';

/** An {@link AuditSink} that keeps events in an array, for tests and the demo. */
export interface MemoryAuditSink extends AuditSink {
  /** Events received, oldest first (at most `maxEvents`). */
  readonly events: readonly AuditEvent[];
  /** Number of batches received. */
  readonly batches: number;
  clear(): void;
}

/** Options of {@link memoryAuditSink}. */
export interface MemoryAuditSinkOptions {
  /** Most events kept; older ones are discarded. Default 100,000. */
  readonly maxEvents?: number | undefined;
  /** Default `memory`. */
  readonly name?: string | undefined;
}

/** Creates an in-memory audit sink. */
export function memoryAuditSink(options: MemoryAuditSinkOptions = {}): MemoryAuditSink {
  const max = options.maxEvents ?? 100_000;
  const events: AuditEvent[] = [];
  let batches = 0;
  return {
    name: options.name ?? 'memory',
    get events() {
      return events;
    },
    get batches() {
      return batches;
    },
    write(batch) {
      batches += 1;
      events.push(...batch);
      if (events.length > max) events.splice(0, events.length - max);
      return Promise.resolve();
    },
    clear() {
      events.length = 0;
      batches = 0;
    },
  };
}
