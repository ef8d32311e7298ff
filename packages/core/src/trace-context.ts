import { randomFillSync } from 'node:crypto';
import { ownString } from './own-string.js';

/** The parts of a W3C Trace Context `traceparent` header. */
export interface TraceContext {
  /** 32 lower-case hex digits, never all zero. */
  readonly traceId: string;
  /** 16 lower-case hex digits of the caller's span, when a valid header was received. */
  readonly parentId?: string | undefined;
  /** True when the trace id came from the caller. */
  readonly inherited: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;

/**
 * Reads a `traceparent` header (W3C Trace Context level 1). A missing or malformed header
 * starts a new trace rather than failing the call.
 */
export function readTraceparent(header: string | undefined): TraceContext {
  if (header !== undefined && header.length <= 512) {
    const match = TRACEPARENT.exec(header.trim());
    if (match) {
      const [, version, traceId, parentId] = match as unknown as [string, string, string, string];
      // Version ff is forbidden; version 00 has no trailing fields.
      const versionOk = version !== 'ff' && (version !== '00' || match[5] === undefined);
      if (versionOk && !ALL_ZERO.test(traceId) && !ALL_ZERO.test(parentId)) {
        // (Copies: the captures point into the header.)
        return { traceId: ownString(traceId), parentId: ownString(parentId), inherited: true };
      }
    }
  }
  return { traceId: newTraceId(), inherited: false };
}

const POOL_SIZE = 16 * 512;
const pool = Buffer.alloc(POOL_SIZE);
/** The pool as hex, converted once per refill: an id is a slice of it, not a conversion. */
let poolHex = '';
let offset = POOL_SIZE;

/** 16 random bytes as hex, from a pool refilled in bulk (one syscall per 512 ids). */
function newTraceId(): string {
  for (;;) {
    if (offset + 16 > POOL_SIZE) {
      randomFillSync(pool);
      poolHex = pool.toString('hex');
      offset = 0;
    }
    const start = offset;
    offset += 16;
    // An all-zero trace id is invalid; 2^-128, but cheap to rule out.
    for (let i = start; i < start + 16; i++) {
      if (pool[i] !== 0) return poolHex.slice(start * 2, start * 2 + 32);
    }
  }
}
