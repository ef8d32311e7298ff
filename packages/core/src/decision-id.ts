import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 16 * 256;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
let lastMs = -1;
let sequence = 0;

/** Where 10 fresh random bytes start in `pool` (refilled in bulk: one syscall per 409 ids). */
function random10(): number {
  if (poolOffset + 10 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += 10;
  return at;
}

/** Character codes of the 16 lower-case hex digits. */
const HEX = new Uint8Array(Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0)));
const DASH = 0x2d;
const SEVEN = 0x37;

/**
 * A new UUIDv7 (RFC 9562): 48-bit millisecond timestamp, then random bits. Ids created in the
 * same millisecond by this process stay in creation order (a 12-bit counter in `rand_a`,
 * method 1 of RFC 9562 §6.2), so decision ids sort by time.
 *
 * @example
 * const id = createDecisionId(); // '019a…-7…'
 */
export function createDecisionId(now: number = Date.now()): string {
  const r = random10();
  let ms = now;
  if (ms <= lastMs) {
    ms = lastMs;
    sequence += 1;
    if (sequence > 0xfff) {
      // Counter exhausted within one millisecond: borrow the next millisecond.
      lastMs += 1;
      ms = lastMs;
      sequence = 0;
    }
  } else {
    lastMs = ms;
    sequence = (pool[r]! << 4) & 0x7ff; // random start, leaving room to count up
  }
  if (ms !== prefixMs) writePrefix(ms);
  const variant = 0x80 | (pool[r + 1]! & 0x3f);
  // Written as character codes in one call: one string per id, not a chain of concatenations.
  return String.fromCharCode(
    prefix[0]!,
    prefix[1]!,
    prefix[2]!,
    prefix[3]!,
    prefix[4]!,
    prefix[5]!,
    prefix[6]!,
    prefix[7]!,
    DASH,
    prefix[8]!,
    prefix[9]!,
    prefix[10]!,
    prefix[11]!,
    DASH,
    SEVEN,
    HEX[(sequence >>> 8) & 0x0f]!,
    HEX[(sequence >>> 4) & 0x0f]!,
    HEX[sequence & 0x0f]!,
    DASH,
    HEX[variant >>> 4]!,
    HEX[variant & 0x0f]!,
    HEX[pool[r + 2]! >>> 4]!,
    HEX[pool[r + 2]! & 0x0f]!,
    DASH,
    HEX[pool[r + 3]! >>> 4]!,
    HEX[pool[r + 3]! & 0x0f]!,
    HEX[pool[r + 4]! >>> 4]!,
    HEX[pool[r + 4]! & 0x0f]!,
    HEX[pool[r + 5]! >>> 4]!,
    HEX[pool[r + 5]! & 0x0f]!,
    HEX[pool[r + 6]! >>> 4]!,
    HEX[pool[r + 6]! & 0x0f]!,
    HEX[pool[r + 7]! >>> 4]!,
    HEX[pool[r + 7]! & 0x0f]!,
    HEX[pool[r + 8]! >>> 4]!,
    HEX[pool[r + 8]! & 0x0f]!,
  );
}

let prefixMs = -1;
/** The 12 hex digits of the 48-bit millisecond timestamp, written once per millisecond. */
const prefix = new Uint8Array(12);

function writePrefix(ms: number): void {
  const hi = Math.floor(ms / 0x1000000);
  const lo = ms % 0x1000000;
  for (let i = 0; i < 6; i++) {
    prefix[5 - i] = HEX[(hi >>> (4 * i)) & 0x0f]!;
    prefix[11 - i] = HEX[(lo >>> (4 * i)) & 0x0f]!;
  }
  prefixMs = ms;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True when `value` is a lower-case UUIDv7 string. */
export function isDecisionId(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7.test(value);
}
