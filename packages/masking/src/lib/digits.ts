import { callingCodeAt, isCardDigits, isSsnDigits } from './checks.js';
import type { Match, ScanFlags } from './match.js';

// Digit runs are found by one hand-written pass: a run is digit groups joined by at most three
// separator characters. Each run is then classified by sliding windows of at most six groups
// and nineteen digits, so the work per character is bounded whatever the input.

const MAX_WINDOW_GROUPS = 6;
const MAX_WINDOW_DIGITS = 19;
const MAX_SEPARATOR = 3;
const SPACE = 32;
const HYPHEN = 45;
const DOT = 46;

function isSeparator(c: number): boolean {
  // space - . / ( )
  return c === 32 || c === 45 || c === 46 || c === 47 || c === 40 || c === 41;
}

/** Letters, digits, `_` and anything non-ASCII: characters that glue a number to a word. */
export function isWordChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128
  );
}

function isJoiner(c: number): boolean {
  // - . / joined to a word on the other side make an identifier (ORD-123, v1.2, a/1).
  return c === 45 || c === 46 || c === 47;
}

// Reused between runs to keep the hot path free of allocation.
let gStart = new Int32Array(64);
let gEnd = new Int32Array(64);

function grow(size: number): void {
  const s = new Int32Array(size * 2);
  s.set(gStart);
  gStart = s;
  const e = new Int32Array(size * 2);
  e.set(gEnd);
  gEnd = e;
}

/** Only spaces (and parentheses) between two groups: a boundary a window may start or end at. */
function isSoftBoundary(b: Uint16Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c !== 32 && c !== 40 && c !== 41) return false;
  }
  return true;
}

/** One separator character, the same between every pair of groups of the window: `one` or `other`. */
function sameSeparators(
  b: Uint16Array,
  first: number,
  count: number,
  one: number,
  other: number,
): boolean {
  const at = gEnd[first]!;
  if (gStart[first + 1]! - at !== 1) return false;
  const sep = b[at]!;
  if (sep !== one && sep !== other) return false;
  for (let g = first + 1; g < first + count - 1; g++) {
    const e = gEnd[g]!;
    if (gStart[g + 1]! - e !== 1 || b[e]! !== sep) return false;
  }
  return true;
}

// A window's shape is its group lengths packed five bits each (lengths above 31 saturate;
// every shape compared below has short groups), so shapes compare as integers.
function shapeOf(first: number, count: number): number {
  let shape = 0;
  for (let g = first; g < first + count; g++)
    shape = shape * 32 + Math.min(gEnd[g]! - gStart[g]!, 31);
  return shape;
}

function shape(...lengths: number[]): number {
  return lengths.reduce((acc, len) => acc * 32 + len, 0);
}

const CARD_SHAPES = new Set([
  shape(4, 4, 4, 4),
  shape(4, 4, 4, 4, 3),
  shape(4, 6, 5),
  shape(4, 6, 4),
  shape(4, 4, 4, 1),
  shape(4, 4, 4, 2),
  shape(4, 4, 4, 3),
]);

const DATE_SHAPES = new Set([
  shape(4, 2, 2),
  shape(2, 2, 4),
  shape(1, 2, 4),
  shape(2, 1, 4),
  shape(1, 1, 4),
  shape(4, 1, 1),
  shape(4, 1, 2),
  shape(4, 2, 1),
]);

const SSN_SHAPE = shape(3, 2, 4);
const NANP_SHAPE = shape(3, 3, 4);
const NANP1_SHAPE = shape(1, 3, 3, 4);
const BR_SHAPES = [shape(2, 4, 4), shape(2, 5, 4)];
const ES_SHAPES = [shape(3, 3, 3), shape(3, 2, 2, 2)];
const IT_SHAPE = shape(3, 7);
const IN_SHAPE = shape(5, 5);

// Digit values of the run being classified, in order, and where each group's digits start
// among them (gDigits[g], with gDigits[groups] the run's digit count): filled once per run, so
// that a window's digits are runDigits[gDigits[first], gDigits[first + count]). The digits are
// zeroed after the run (they may be a card number), and buffers grown for a long run dropped.
const RUN_DIGITS_KEPT = 4096;
let runDigits = new Uint8Array(256);
let gDigits = new Int32Array(65);

function fillRunDigits(b: Uint16Array, groups: number): void {
  const starts = gStart;
  const ends = gEnd;
  if (gDigits.length <= groups) gDigits = new Int32Array((groups + 1) * 2);
  const digits = ends[groups - 1]! - starts[0]!;
  if (runDigits.length < digits) runDigits = new Uint8Array(digits * 2);
  const values = runDigits;
  const offsets = gDigits;
  let n = 0;
  for (let g = 0; g < groups; g++) {
    offsets[g] = n;
    const end = ends[g]!;
    for (let i = starts[g]!; i < end; i++) values[n++] = b[i]! - 48;
  }
  offsets[groups] = n;
}

/** The buffer the digit values of runs are read into (for tests: it must hold zeros between calls). */
export function runDigitsBuffer(): Uint8Array {
  return runDigits;
}

/** Zeroes the run's digits and drops the buffers of a long run (see above). */
function releaseRunDigits(groups: number): void {
  runDigits.fill(0, 0, gDigits[groups]);
  if (runDigits.length > RUN_DIGITS_KEPT) runDigits = new Uint8Array(256);
  if (gDigits.length > RUN_DIGITS_KEPT) gDigits = new Int32Array(65);
}

function classify(
  b: Uint16Array,
  first: number,
  count: number,
  plus: boolean,
  paren: boolean,
  flags: ScanFlags,
): string | undefined {
  const from = gDigits[first]!;
  const total = gDigits[first + count]! - from;
  const values = runDigits;
  // Nothing below matches fewer than eight digits, except an IPv4 address (four groups).
  if (total < 8 && count !== 4) return undefined;
  const lens = shapeOf(first, count);
  if (flags.card && !plus && total >= 12 && total <= 19) {
    if (count === 1 || (CARD_SHAPES.has(lens) && sameSeparators(b, first, count, SPACE, HYPHEN))) {
      if (isCardDigits(values, from, from + total)) return 'CREDIT_CARD';
    }
  }
  if (
    flags.ssn &&
    !plus &&
    count === 3 &&
    lens === SSN_SHAPE &&
    sameSeparators(b, first, count, HYPHEN, SPACE)
  ) {
    if (isSsnDigits(values, from)) return 'US_SSN';
  }
  if (flags.ip && !plus && !paren && count === 4 && sameSeparators(b, first, count, DOT, DOT)) {
    let valid = true;
    for (let g = first; g < first + 4; g++) {
      const len = gEnd[g]! - gStart[g]!;
      let value = 0;
      for (let i = gStart[g]!; i < gEnd[g]! && len <= 3; i++) value = value * 10 + b[i]! - 48;
      if (len > 3 || value > 255) valid = false;
    }
    if (valid) return 'IP_ADDRESS';
  }
  // Phone numbers have at most 15 digits after the international prefix.
  if (!flags.phone || total < 8 || total > 17) return undefined;
  if (plus) {
    return total <= 15 && callingCodeAt(values, from, from + total) ? 'PHONE' : undefined;
  }
  if (count < 2) return undefined;
  const d0 = values[from]!;
  const d1 = values[from + 1]!;
  if (d0 === 0 && d1 === 0) {
    // 00 international prefix.
    const rest = total - 2;
    return rest >= 8 && rest <= 15 && callingCodeAt(values, from + 2, from + total)
      ? 'PHONE'
      : undefined;
  }
  if (total > 12) return undefined;
  if (count === 3 && DATE_SHAPES.has(lens)) return undefined;
  // North American numbering plan: [2-9]XX [2-9]XX XXXX, optionally led by 1.
  const nanp = lens === NANP_SHAPE ? 0 : lens === NANP1_SHAPE && d0 === 1 ? 1 : -1;
  if (nanp !== -1 && values[from + nanp]! >= 2 && values[from + nanp + 3]! >= 2) return 'PHONE';
  // Brazil: (AA) NNNN-NNNN or (AA) 9NNNN-NNNN.
  if (paren && count === 3 && BR_SHAPES.includes(lens) && d0 !== 0) return 'PHONE';
  // Trunk prefix 0 (UK, DE, FR, IT landlines, NL, IN, BR): 9-12 digits in 2-5 groups.
  if (d0 === 0 && total >= 9 && total <= 12 && count <= 5) {
    const firstLen = gEnd[first]! - gStart[first]!;
    let ok = firstLen >= 2 && firstLen <= 6;
    for (let g = first + 1; ok && g < first + count; g++) if (gEnd[g]! - gStart[g]! < 2) ok = false;
    if (ok) return 'PHONE';
  }
  // Spain: 9 digits starting 6-9.
  if (total === 9 && d0 >= 6 && ES_SHAPES.includes(lens)) return 'PHONE';
  // Italy mobile: 3XX XXX XXXX; India mobile: XXXXX XXXXX starting 6-9.
  if (total === 10 && d0 === 3 && (lens === NANP_SHAPE || lens === IT_SHAPE)) return 'PHONE';
  if (total === 10 && d0 >= 6 && lens === IN_SHAPE) return 'PHONE';
  return undefined;
}

/**
 * Reads the run of digit groups that starts with the digit at `i` (of the `n` code units `b`,
 * followed by zeros; its first group ends at `first`) and appends the cards, SSNs, IPv4 addresses and phone numbers in it to `out`; returns the
 * end of the run. Runs glued to a word on either side (`ORD-2024-0042`, `v1.2.3.4`, `2024-01-02T…`) are identifiers and
 * are skipped whole.
 */
export function digitRunAt(
  b: Uint16Array,
  n: number,
  i: number,
  first: number,
  flags: ScanFlags,
  out: Match[],
): number {
  let start = i;
  let plus = false;
  let paren = false;
  if (start > 0 && b[start - 1]! === 40) {
    start--;
    paren = true;
  }
  if (start > 0 && b[start - 1]! === 43) {
    start--;
    plus = true;
  }
  // Collect the groups of the run (`b` ends with zeros, which end every loop below).
  gStart[0] = i;
  gEnd[0] = first;
  let groups = 1;
  let digits = first - i;
  let soft = false;
  let j = first;
  for (;;) {
    let k = j;
    while (k - j < MAX_SEPARATOR && isSeparator(b[k]!)) k++;
    const c = b[k]!;
    if (k === j || c < 48 || c > 57) break;
    if (!soft) soft = isSoftBoundary(b, j, k);
    const gs = k;
    j = k + 1;
    let d = b[j]!;
    while (d >= 48 && d <= 57) d = b[++j]!;
    if (groups === gStart.length) grow(groups);
    gStart[groups] = gs;
    gEnd[groups] = j;
    groups++;
    digits += j - gs;
  }
  // Every value has eight digits or more, except an IPv4 address (four groups).
  if (digits < 8 && groups < 4) return j;
  let attachedStart = false;
  if (start > 0) {
    const p = b[start - 1]!;
    if (isWordChar(p)) attachedStart = true;
    else if (isJoiner(p) && start > 1 && isWordChar(b[start - 2]!)) attachedStart = true;
  }
  let attachedEnd = false;
  if (j < n) {
    const c = b[j]!;
    if (isWordChar(c)) attachedEnd = true;
    else if (isJoiner(c) && j + 1 < n && isWordChar(b[j + 1]!)) attachedEnd = true;
  }
  // Windows start and end at the run's ends or at spaces; a run without spaces that is glued
  // to a word (2024-01-02T…, ORD-2024-0042) has no window left.
  if (!soft && (attachedStart || attachedEnd)) return j;
  fillRunDigits(b, groups);
  classifyRun(b, groups, start, plus, paren, attachedStart, attachedEnd, flags, out);
  releaseRunDigits(groups);
  return j;
}

function classifyRun(
  b: Uint16Array,
  groups: number,
  runStart: number,
  plus: boolean,
  paren: boolean,
  attachedStart: boolean,
  attachedEnd: boolean,
  flags: ScanFlags,
  out: Match[],
): void {
  // A whole run shaped like a card number is a card or nothing: never carve phones out of it.
  if (attachedStart && attachedEnd && groups === 1) return;
  if (
    !attachedStart &&
    !attachedEnd &&
    groups >= 3 &&
    groups <= 5 &&
    CARD_SHAPES.has(shapeOf(0, groups)) &&
    sameSeparators(b, 0, groups, SPACE, HYPHEN)
  ) {
    if (flags.card && !plus && isCardDigits(runDigits, 0, gDigits[groups]!)) {
      out.push({ start: runStart, end: gEnd[groups - 1]!, type: 'CREDIT_CARD' });
    }
    return;
  }
  // Groups glued to a word (ORD-2024-…, …T10:00) are part of an identifier: no window may
  // include the first group when the run is glued at its start, nor the last when glued at its end.
  let g = attachedStart ? 1 : 0;
  const limit = attachedEnd ? groups - 1 : groups;
  while (g < limit) {
    // A window may only start after, and end before, a space: hyphen- or dot-joined groups
    // belong together (ISBNs, UUIDs, OIDs, versions).
    if (g > 0 && !isSoftBoundary(b, gEnd[g - 1]!, gStart[g]!)) {
      g++;
      continue;
    }
    let found = 0;
    let type: string | undefined;
    const offsets = gDigits;
    const before = offsets[g]!;
    let maxCount = 0;
    for (let k = 1; k <= MAX_WINDOW_GROUPS && g + k <= limit; k++) {
      if (offsets[g + k]! - before > MAX_WINDOW_DIGITS) break;
      maxCount = k;
    }
    for (let k = maxCount; k >= 1; k--) {
      // What classify refuses first, without working out the window's bounds: nothing matches
      // fewer than eight digits except an IPv4 address (four groups).
      if (offsets[g + k]! - before < 8 && k !== 4) continue;
      const last = g + k - 1;
      if (last + 1 < groups && !isSoftBoundary(b, gEnd[last]!, gStart[last + 1]!)) continue;
      const windowPlus = plus && g === 0;
      let windowParen = g === 0 ? paren : b[gStart[g]! - 1]! === 40;
      if (windowParen && k > 1 && b[gEnd[g]!]! !== 41) windowParen = false;
      type = classify(b, g, k, windowPlus, windowParen, flags);
      if (type !== undefined) {
        found = k;
        break;
      }
    }
    if (type !== undefined) {
      let start = g === 0 ? runStart : gStart[g]!;
      if (g > 0 && b[start - 1]! === 40) start--;
      out.push({ start, end: gEnd[g + found - 1]!, type });
      g += found;
    } else {
      g++;
    }
  }
}
