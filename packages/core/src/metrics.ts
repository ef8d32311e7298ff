import type { GuardErrorCode, HookFailureKind, StageName } from './errors.js';
import type { Outcome } from './decision.js';

/** Everything the guard reports to a metrics listener. */
export type MetricEvent =
  | {
      readonly type: 'decision';
      readonly tool: string;
      readonly outcome: Outcome;
      readonly code?: GuardErrorCode | undefined;
      readonly tenantId?: string | undefined;
      readonly latencyMs: number;
      readonly timings: Readonly<Partial<Record<StageName, number>>>;
    }
  | {
      readonly type: 'hook_failure';
      readonly hook: string;
      readonly phase: 'before' | 'after';
      readonly kind: HookFailureKind;
      readonly failMode: 'open' | 'closed';
    }
  | {
      /** The audit queue was full; `policy` says what was done about it. */
      readonly type: 'audit_queue_full';
      readonly policy: 'block' | 'drop-oldest' | 'spill';
      readonly events: number;
    }
  | {
      readonly type: 'audit_retry';
      readonly sink: string;
      readonly events: number;
      readonly attempt: number;
    }
  | { readonly type: 'audit_spilled'; readonly sink: string; readonly events: number }
  | { readonly type: 'audit_replayed'; readonly sink: string; readonly events: number }
  | { readonly type: 'audit_lost'; readonly sink: string; readonly events: number }
  | {
      /** A configuration that works but is probably not what was meant. */
      readonly type: 'warning';
      readonly source: string;
      readonly message: string;
      readonly details?: Readonly<Record<string, unknown>> | undefined;
    };

/** Receives every {@link MetricEvent}. Must not throw (a throw is caught and ignored). */
export type MetricsListener = (event: MetricEvent) => void;

/** Latency summary of one stage. */
export interface LatencySummary {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** Counters kept by {@link createMetricsRecorder}. */
export interface MetricsSnapshot {
  readonly decisions: {
    readonly total: number;
    readonly byOutcome: Readonly<Record<string, number>>;
    readonly byCode: Readonly<Record<string, number>>;
    readonly byTool: Readonly<Record<string, number>>;
  };
  readonly stages: Readonly<Record<string, LatencySummary>>;
  readonly hookFailures: number;
  readonly audit: {
    readonly queueFull: number;
    readonly retries: number;
    readonly spilled: number;
    readonly replayed: number;
    readonly lost: number;
  };
  readonly warnings: readonly string[];
}

/** A metrics listener that keeps counters, for tests, the demo and simple exporters. */
export interface MetricsRecorder {
  readonly listener: MetricsListener;
  snapshot(): MetricsSnapshot;
}

/**
 * Counts decisions by outcome, code and tool, and sums stage latencies. Wire its numbers to
 * Prometheus or OpenTelemetry, or write your own listener.
 *
 * @example
 * const metrics = createMetricsRecorder();
 * const guard = createGuard({ …, metrics: metrics.listener });
 * metrics.snapshot().decisions.byOutcome.allowed;
 */
export function createMetricsRecorder(): MetricsRecorder {
  let total = 0;
  // Without a prototype: a tool may be named `constructor` or `__proto__`.
  const byOutcome = Object.create(null) as Record<string, number>;
  const byCode = Object.create(null) as Record<string, number>;
  const byTool = Object.create(null) as Record<string, number>;
  const stages = Object.create(null) as Record<string, LatencySummary>;
  let hookFailures = 0;
  const audit = { queueFull: 0, retries: 0, spilled: 0, replayed: 0, lost: 0 };
  const warnings: string[] = [];
  const bump = (table: Record<string, number>, key: string): void => {
    table[key] = (table[key] ?? 0) + 1;
  };
  return {
    listener(event) {
      switch (event.type) {
        case 'decision': {
          total += 1;
          bump(byOutcome, event.outcome);
          if (event.code) bump(byCode, event.code);
          bump(byTool, event.tool);
          const timings = event.timings as Readonly<Record<string, number>>;
          for (const stage in timings) {
            const ms = timings[stage]!;
            const summary = (stages[stage] ??= { count: 0, totalMs: 0, maxMs: 0 });
            summary.count += 1;
            summary.totalMs += ms;
            if (ms > summary.maxMs) summary.maxMs = ms;
          }
          break;
        }
        case 'hook_failure':
          hookFailures += 1;
          break;
        case 'audit_queue_full':
          audit.queueFull += event.events;
          break;
        case 'audit_retry':
          audit.retries += 1;
          break;
        case 'audit_spilled':
          audit.spilled += event.events;
          break;
        case 'audit_replayed':
          audit.replayed += event.events;
          break;
        case 'audit_lost':
          audit.lost += event.events;
          break;
        case 'warning':
          if (warnings.length < 1000) warnings.push(`${event.source}: ${event.message}`);
          break;
      }
    },
    snapshot() {
      return structuredClone({
        decisions: { total, byOutcome, byCode, byTool },
        stages,
        hookFailures,
        audit,
        warnings,
      });
    },
  };
}
