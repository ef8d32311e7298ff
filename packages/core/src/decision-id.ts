import { randomFillSync } from 'node:crypto';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL_SIZE = 16 * 256;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
let lastMs = -1;
let sequence = 0;

function randomBytes10(): Uint8Array {
  if (poolOffset + 10 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return bytes;
}

/**
 * A new UUIDv7 (RFC 9562): 48-bit millisecond timestamp, then random bits. Ids created in the
 * same millisecond by this process stay in creation order (a 12-bit counter in `rand_a`,
 * method 1 of RFC 9562 §6.2), so decision ids sort by time.
 *
 * @example
 * const id = createDecisionId(); // '019a…-7…'
 */
export function createDecisionId(now: number = Date.now()): string {
  const random = randomBytes10();
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
    sequence = (random[0]! << 4) & 0x7ff; // random start, leaving room to count up
  }
  return (
    timePrefix(ms) +
    VERSION_HEX[(sequence >>> 8) & 0x0f]! +
    HEX[sequence & 0xff]! +
    VARIANT_HEX[random[1]! & 0x3f]! +
    HEX[random[2]!]! +
    DASH_HEX[random[3]!]! +
    HEX[random[4]!]! +
    HEX[random[5]!]! +
    HEX[random[6]!]! +
    HEX[random[7]!]! +
    HEX[random[8]!]!
  );
}

// Pieces that always go together, joined once: fewer concatenations per id.
/** `-7` and the high nibble of the sequence (version 7). */
const VERSION_HEX: string[] = Array.from({ length: 16 }, (_, i) => `-7${i.toString(16)}`);
/** `-` and the variant byte (`10xxxxxx`). */
const VARIANT_HEX: string[] = Array.from({ length: 64 }, (_, i) => `-${HEX[0x80 | i]!}`);
/** `-` and one byte. */
const DASH_HEX: string[] = HEX.map((hex) => `-${hex}`);

let prefixMs = -1;
let prefix = '';

/** `xxxxxxxx-xxxx`: the 48-bit millisecond timestamp, written once per millisecond. */
function timePrefix(ms: number): string {
  if (ms !== prefixMs) {
    const hi = Math.floor(ms / 0x1000000);
    const lo = ms % 0x1000000;
    prefix =
      HEX[(hi >>> 16) & 0xff]! +
      HEX[(hi >>> 8) & 0xff]! +
      HEX[hi & 0xff]! +
      HEX[(lo >>> 16) & 0xff]! +
      '-' +
      HEX[(lo >>> 8) & 0xff]! +
      HEX[lo & 0xff]!;
    prefixMs = ms;
  }
  return prefix;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True when `value` is a lower-case UUIDv7 string. */
export function isDecisionId(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7.test(value);
}
