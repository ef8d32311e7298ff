import { LRUCache } from 'lru-cache';
import type { RateLimitSpec, RateLimitState, RateLimitStore } from './rate-limit-store.js';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /** Most keys tracked at once; the least recently used are forgotten first. Default 100,000. */
  readonly maxKeys?: number | undefined;
}

interface Slot {
  /** Sliding window: count in the current window. Token bucket: tokens left. */
  a: number;
  /** Sliding window: count in the previous window. Token bucket: unused. */
  b: number;
  /** Sliding window: start of the current window. Token bucket: time of the last refill. */
  t: number;
}

/**
 * In-process rate-limit counters on a bounded LRU. Right for one process; use the Redis store
 * when several instances must share limits.
 *
 * The sliding window is the two-window approximation: the previous window's count weighted by
 * how much of it still overlaps the sliding window, plus the current count. It needs two
 * numbers per key, never a log of timestamps.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #slots: LRUCache<string, Slot>;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.#slots = new LRUCache<string, Slot>({ max: options.maxKeys ?? 100_000 });
  }

  hit(key: string, spec: RateLimitSpec, now: number): RateLimitState {
    return spec.algorithm === 'token-bucket'
      ? this.#bucket(key, spec, now)
      : this.#window(key, spec, now);
  }

  /** Number of keys currently tracked. */
  get size(): number {
    return this.#slots.size;
  }

  #window(key: string, spec: RateLimitSpec, now: number): RateLimitState {
    const { limit, windowMs } = spec;
    const windowStart = now - (now % windowMs);
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = { a: 0, b: 0, t: windowStart };
      this.#slots.set(key, slot);
    } else if (slot.t !== windowStart) {
      slot.b = windowStart - slot.t === windowMs ? slot.a : 0;
      slot.a = 0;
      slot.t = windowStart;
    }
    const overlap = 1 - (now - windowStart) / windowMs;
    const used = slot.b * overlap + slot.a;
    if (used + 1 > limit) {
      const untilWindowEnd = windowStart + windowMs - now;
      let retryAfterMs: number;
      if (slot.a + 1 <= limit) {
        // The previous window's share decays linearly; wait until enough of it has slid out.
        const overlapNeeded = (limit - 1 - slot.a) / slot.b;
        retryAfterMs = Math.ceil((overlap - overlapNeeded) * windowMs);
      } else {
        // The current window alone is full: wait for it to end, then for its share to decay.
        retryAfterMs = untilWindowEnd + Math.ceil(Math.max(0, 1 - (limit - 1) / slot.a) * windowMs);
      }
      return {
        allowed: false,
        remaining: 0,
        retryAfterMs: Math.max(1, retryAfterMs),
        resetMs: untilWindowEnd + windowMs,
      };
    }
    slot.a += 1;
    return {
      allowed: true,
      remaining: Math.max(0, Math.floor(limit - used - 1)),
      retryAfterMs: 0,
      resetMs: windowStart + windowMs - now,
    };
  }

  #bucket(key: string, spec: RateLimitSpec, now: number): RateLimitState {
    const { limit, windowMs } = spec;
    const refillPerMs = limit / windowMs;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = { a: limit, b: 0, t: now };
      this.#slots.set(key, slot);
    } else if (now > slot.t) {
      slot.a = Math.min(limit, slot.a + (now - slot.t) * refillPerMs);
      slot.t = now;
    }
    if (slot.a < 1) {
      const retryAfterMs = Math.ceil((1 - slot.a) / refillPerMs);
      return {
        allowed: false,
        remaining: 0,
        retryAfterMs,
        resetMs: Math.ceil((limit - slot.a) / refillPerMs),
      };
    }
    slot.a -= 1;
    return {
      allowed: true,
      remaining: Math.floor(slot.a),
      retryAfterMs: 0,
      resetMs: Math.ceil((limit - slot.a) / refillPerMs),
    };
  }
}
