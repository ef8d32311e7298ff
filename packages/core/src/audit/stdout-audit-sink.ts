import type { AuditSink } from './audit-sink.js';
import { serializeAuditEvent } from './serialize-audit-event.js';

/** Where {@link stdoutAuditSink} writes. */
export interface WritableLike {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
}

/** Options of {@link stdoutAuditSink}. */
export interface StdoutAuditSinkOptions {
  /** Default `process.stdout`. */
  readonly stream?: WritableLike | undefined;
  /** Default `stdout`. */
  readonly name?: string | undefined;
}

/**
 * Writes each event as one JSON line to standard output (or another stream): the format log
 * shippers (Vector, Fluent Bit, CloudWatch) pick up from containers.
 */
export function stdoutAuditSink(options: StdoutAuditSinkOptions = {}): AuditSink {
  const stream = options.stream ?? process.stdout;
  return {
    name: options.name ?? 'stdout',
    write(events) {
      let chunk = '';
      for (const event of events) chunk += serializeAuditEvent(event) + '\n';
      return new Promise((resolve, reject) => {
        stream.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
