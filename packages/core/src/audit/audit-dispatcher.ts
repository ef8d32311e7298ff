import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GuardConfigError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { MetricEvent, MetricsListener } from '../metrics.js';
import type { AuditEvent } from './audit-event.js';
import type { AuditSink } from './audit-sink.js';
import { serializeAuditEvent } from './serialize-audit-event.js';

/** What happens when the audit queue is full. */
export type AuditQueueFullPolicy = 'block' | 'drop-oldest' | 'spill';

/** How failed batches are retried. */
export interface AuditRetryOptions {
  /** Attempts per batch and sink, the first included. Default 5. */
  readonly attempts?: number | undefined;
  /** Delay before the second attempt; doubles each time, with jitter. Default 100 ms. */
  readonly baseDelayMs?: number | undefined;
  /** Longest delay between attempts. Default 5,000 ms. */
  readonly maxDelayMs?: number | undefined;
}

/** Options of the audit dispatcher. */
export interface AuditOptions {
  /** Where events go. Every sink receives every event. */
  readonly sinks: readonly AuditSink[];
  /** Most events waiting for delivery. Default 10,000. */
  readonly maxQueue?: number | undefined;
  /** Most events per batch handed to a sink. Default 100. */
  readonly batchSize?: number | undefined;
  /**
   * When the queue is full: `block` makes the call wait for room (default; nothing is lost),
   * `drop-oldest` discards the oldest queued event, `spill` writes the new event to
   * `spillDir` to be replayed later. Each case is counted and reported as
   * `audit_queue_full`.
   */
  readonly onFull?: AuditQueueFullPolicy | undefined;
  /**
   * Folder for events that could not be delivered (after retries) or queued (`spill`). They
   * are replayed to the sink once it accepts writes again. Without it, undeliverable batches
   * are counted as lost and reported as `audit_lost`. Required with `onFull: 'spill'`.
   */
  readonly spillDir?: string | undefined;
  readonly retry?: AuditRetryOptions | undefined;
  /** Keep the (masked) validated arguments in each event. Default false: a digest only. */
  readonly recordArgs?: boolean | undefined;
}

/** Counters of the dispatcher. */
export interface AuditStats {
  readonly queued: number;
  readonly enqueued: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly spilled: number;
  readonly replayed: number;
  readonly lost: number;
  readonly retries: number;
}

const OVERFLOW_FILE = 'overflow.jsonl';

/**
 * Delivers audit events to sinks through a bounded queue, in batches, off the call's path.
 * A failing sink is retried with exponential backoff; what it still refuses is spilled to
 * disk and replayed; a full queue follows `onFull`. Nothing is lost without being counted.
 */
export class AuditDispatcher {
  readonly #sinks: readonly AuditSink[];
  readonly #maxQueue: number;
  readonly #batchSize: number;
  readonly #onFull: AuditQueueFullPolicy;
  readonly #spillDir: string | undefined;
  readonly #attempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #logger: Logger;
  readonly #metrics: MetricsListener | undefined;

  #queue: AuditEvent[] = [];
  #waiters: (() => void)[] = [];
  #drain: Promise<void> | undefined;
  #scheduled = false;
  #closed = false;
  /** After a failed replay, spilled events wait this long before the next attempt. */
  #replayNotBefore = 0;
  #stats = { enqueued: 0, delivered: 0, dropped: 0, spilled: 0, replayed: 0, lost: 0, retries: 0 };

  constructor(
    options: AuditOptions,
    context: { logger?: Logger | undefined; metrics?: MetricsListener | undefined } = {},
  ) {
    this.#sinks = options.sinks;
    this.#maxQueue = positive(options.maxQueue ?? 10_000, 'audit.maxQueue');
    this.#batchSize = positive(options.batchSize ?? 100, 'audit.batchSize');
    this.#onFull = options.onFull ?? 'block';
    this.#spillDir = options.spillDir;
    this.#attempts = positive(options.retry?.attempts ?? 5, 'audit.retry.attempts');
    this.#baseDelayMs = options.retry?.baseDelayMs ?? 100;
    this.#maxDelayMs = options.retry?.maxDelayMs ?? 5_000;
    this.#logger = context.logger ?? silentLogger;
    this.#metrics = context.metrics;
    if (this.#onFull === 'spill' && this.#spillDir === undefined) {
      throw new GuardConfigError("onFull 'spill' needs spillDir", { path: 'audit.spillDir' });
    }
    const names = new Set<string>();
    for (const sink of this.#sinks) {
      if (names.has(sink.name)) {
        throw new GuardConfigError(`two sinks are named ${sink.name}`, { path: 'audit.sinks' });
      }
      names.add(sink.name);
    }
    if (this.#spillDir !== undefined) {
      mkdirSync(this.#spillDir, { recursive: true });
      // Events spilled by an earlier process are replayed as soon as we can.
      if (this.#hasSpill()) this.#schedule();
    }
  }

  /**
   * Queues one event. Returns a promise only when the queue is full and `onFull` is `block`;
   * the caller should await it.
   */
  enqueue(event: AuditEvent): void | Promise<void> {
    this.#stats.enqueued += 1;
    if (this.#closed) {
      this.#lose('closed', 1, 'audit event after close()');
      return;
    }
    if (this.#queue.length >= this.#maxQueue) {
      this.#emit({ type: 'audit_queue_full', policy: this.#onFull, events: 1 });
      switch (this.#onFull) {
        case 'drop-oldest':
          this.#queue.shift();
          this.#stats.dropped += 1;
          break;
        case 'spill':
          this.#spill(OVERFLOW_FILE, [event]);
          this.#emit({ type: 'audit_spilled', sink: 'queue', events: 1 });
          return;
        case 'block':
          return new Promise<void>((resolve) => {
            this.#waiters.push(() => {
              this.#queue.push(event);
              resolve();
            });
            this.#schedule();
          });
      }
    }
    this.#queue.push(event);
    this.#schedule();
  }

  /** Resolves once every event queued so far has been delivered, spilled or counted lost. */
  async flush(): Promise<void> {
    for (let round = 0; round < 1_000_000; round++) {
      if (this.#drain) await this.#drain;
      else if (this.#queue.length > 0 || this.#waiters.length > 0 || this.#pendingReplay()) {
        this.#drain = this.#run();
        await this.#drain;
      } else break;
    }
    await Promise.all(this.#sinks.map(async (sink) => sink.flush?.()));
  }

  /** Flushes, then closes every sink. Events enqueued later are counted lost. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    await Promise.all(this.#sinks.map(async (sink) => sink.close?.()));
  }

  /** Counters since creation. */
  stats(): AuditStats {
    return { queued: this.#queue.length, ...this.#stats };
  }

  #idle(): boolean {
    return this.#queue.length === 0 && this.#waiters.length === 0;
  }

  #schedule(): void {
    if (this.#scheduled || this.#drain) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#drain) this.#drain = this.#run();
    });
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        if (this.#idle()) {
          if (!this.#pendingReplay()) break;
          await this.#replayAll();
          if (this.#idle()) break;
        }
        const batch = this.#queue.splice(0, this.#batchSize);
        // Room was made: let blocked callers in.
        while (this.#waiters.length > 0 && this.#queue.length < this.#maxQueue) {
          this.#waiters.shift()!();
        }
        if (batch.length === 0) continue;
        await Promise.all(this.#sinks.map((sink) => this.#deliver(sink, batch)));
      }
    } finally {
      this.#drain = undefined;
    }
  }

  async #deliver(sink: AuditSink, batch: readonly AuditEvent[]): Promise<void> {
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      try {
        await sink.write(batch);
        this.#stats.delivered += batch.length;
        return;
      } catch (error) {
        if (attempt === this.#attempts) {
          this.#logger.warn('audit sink write failed', {
            sink: sink.name,
            events: batch.length,
            error: error instanceof Error ? error.message : String(error),
          });
          break;
        }
        this.#stats.retries += 1;
        this.#emit({ type: 'audit_retry', sink: sink.name, events: batch.length, attempt });
        await sleep(this.#backoff(attempt));
      }
    }
    if (this.#spillDir !== undefined) {
      this.#spill(sinkFile(sink), batch);
      this.#emit({ type: 'audit_spilled', sink: sink.name, events: batch.length });
    } else {
      this.#lose(sink.name, batch.length, 'audit sink unavailable and no spillDir');
    }
  }

  #backoff(attempt: number): number {
    const exp = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
    return exp / 2 + Math.random() * (exp / 2);
  }

  #spill(file: string, events: readonly AuditEvent[]): void {
    let lines = '';
    for (const event of events) lines += serializeAuditEvent(event) + '\n';
    try {
      appendFileSync(join(this.#spillDir!, file), lines, { mode: 0o600 });
      this.#stats.spilled += events.length;
    } catch (error) {
      this.#lose(file, events.length, 'cannot write spill file', error);
    }
  }

  #lose(sink: string, events: number, message: string, error?: unknown): void {
    this.#stats.lost += events;
    this.#emit({ type: 'audit_lost', sink, events });
    this.#logger.error(message, {
      sink,
      events,
      ...(error instanceof Error ? { error: error.message } : {}),
    });
  }

  #hasSpill(): boolean {
    if (this.#spillDir === undefined) return false;
    if (existsSync(join(this.#spillDir, OVERFLOW_FILE))) return true;
    return this.#sinks.some((sink) => existsSync(join(this.#spillDir!, sinkFile(sink))));
  }

  #pendingReplay(): boolean {
    return (
      this.#spillDir !== undefined &&
      !this.#closed &&
      Date.now() >= this.#replayNotBefore &&
      this.#hasSpill()
    );
  }

  /** Re-delivers spilled events: overflow goes back into the queue, sink spills to the sink. */
  async #replayAll(): Promise<void> {
    const dir = this.#spillDir!;
    const overflow = takeFile(join(dir, OVERFLOW_FILE));
    if (overflow?.unreadable) this.#lose('queue', overflow.unreadable, 'unreadable spilled events');
    if (overflow) {
      const events = overflow.events;
      const room = Math.max(0, this.#maxQueue - this.#queue.length);
      this.#queue.push(...events.slice(0, room));
      if (events.length > room) {
        // Still no room for all of them: back to disk, not counted as newly spilled.
        this.#stats.spilled -= events.length - room;
        this.#spill(OVERFLOW_FILE, events.slice(room));
      }
      this.#stats.replayed += Math.min(room, events.length);
      this.#emit({ type: 'audit_replayed', sink: 'queue', events: Math.min(room, events.length) });
    }
    for (const sink of this.#sinks) {
      const spilled = takeFile(join(dir, sinkFile(sink)));
      if (!spilled) continue;
      if (spilled.unreadable)
        this.#lose(sink.name, spilled.unreadable, 'unreadable spilled events');
      let sent = 0;
      try {
        for (; sent < spilled.events.length; sent += this.#batchSize) {
          await sink.write(spilled.events.slice(sent, sent + this.#batchSize));
        }
        this.#stats.replayed += spilled.events.length;
        this.#stats.delivered += spilled.events.length;
        this.#emit({ type: 'audit_replayed', sink: sink.name, events: spilled.events.length });
      } catch {
        // Still down: put back what was not sent (its order before newer spills is kept by
        // replaying the whole file next time).
        this.#stats.spilled -= spilled.events.length - sent;
        this.#spill(sinkFile(sink), spilled.events.slice(sent));
        this.#replayNotBefore = Date.now() + this.#maxDelayMs;
        return;
      }
    }
  }

  #emit(event: MetricEvent): void {
    if (!this.#metrics) return;
    try {
      this.#metrics(event);
    } catch {
      // A broken listener must not break auditing.
    }
  }
}

function sinkFile(sink: AuditSink): string {
  return `sink-${encodeURIComponent(sink.name)}.jsonl`;
}

function takeFile(path: string): { events: AuditEvent[]; unreadable: number } | undefined {
  if (!existsSync(path)) return undefined;
  const claimed = `${path}.${process.pid}.${Date.now()}.replay`;
  renameSync(path, claimed);
  const text = readFileSync(claimed, 'utf8');
  rmSync(claimed);
  const events: AuditEvent[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    try {
      events.push(JSON.parse(line) as AuditEvent);
    } catch {
      // A torn last line from a crash mid-write: counted lost rather than block the replay.
      unreadable += 1;
    }
  }
  return { events, unreadable };
}

function positive(value: number, path: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new GuardConfigError('must be a positive integer', { path });
  }
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
