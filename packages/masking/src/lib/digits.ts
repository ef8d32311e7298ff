import { hasCallingCode, isCardNumber, isUsSsn } from './checks.js';
import type { Match, ScanFlags } from './match.js';

// Digit runs are found by one hand-written pass: a run is digit groups joined by at most three
// separator characters. Each run is then classified by sliding windows of at most six groups
// and nineteen digits, so the work per character is bounded whatever the input.

const MAX_WINDOW_GROUPS = 6;
const MAX_WINDOW_DIGITS = 19;
const MAX_SEPARATOR = 3;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

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
function isSoftBoundary(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 40 && c !== 41) return false;
  }
  return true;
}

function sameSeparators(s: string, first: number, count: number, allowed: string): boolean {
  const sep = s.slice(gEnd[first], gStart[first + 1]);
  if (sep.length !== 1 || !allowed.includes(sep)) return false;
  for (let g = first + 1; g < first + count - 1; g++) {
    if (s.slice(gEnd[g], gStart[g + 1]) !== sep) return false;
  }
  return true;
}

function lengths(first: number, count: number): string {
  let out = '';
  for (let g = first; g < first + count; g++) out += String(gEnd[g]! - gStart[g]!) + ',';
  return out;
}

function digitsOf(s: string, first: number, count: number): string {
  let out = '';
  for (let g = first; g < first + count; g++) out += s.slice(gStart[g], gEnd[g]);
  return out;
}

const CARD_SHAPES = new Set([
  '4,4,4,4,',
  '4,4,4,4,3,',
  '4,6,5,',
  '4,6,4,',
  '4,4,4,1,',
  '4,4,4,2,',
  '4,4,4,3,',
]);

const DATE_SHAPES = new Set([
  '4,2,2,',
  '2,2,4,',
  '1,2,4,',
  '2,1,4,',
  '1,1,4,',
  '4,1,1,',
  '4,1,2,',
  '4,2,1,',
]);

function classify(
  s: string,
  first: number,
  count: number,
  plus: boolean,
  paren: boolean,
  flags: ScanFlags,
): string | undefined {
  const lens = lengths(first, count);
  const digits = digitsOf(s, first, count);
  const total = digits.length;
  if (flags.card && !plus) {
    if (
      count === 1
        ? total >= 12 && total <= 19
        : CARD_SHAPES.has(lens) && sameSeparators(s, first, count, ' -')
    ) {
      if (isCardNumber(digits)) return 'CREDIT_CARD';
    }
  }
  if (
    flags.ssn &&
    !plus &&
    count === 3 &&
    lens === '3,2,4,' &&
    sameSeparators(s, first, count, '- ')
  ) {
    if (isUsSsn(digits)) return 'US_SSN';
  }
  if (flags.ip && !plus && !paren && count === 4 && sameSeparators(s, first, count, '.')) {
    let valid = true;
    for (let g = first; g < first + 4; g++) {
      const len = gEnd[g]! - gStart[g]!;
      if (len > 3 || Number(s.slice(gStart[g], gEnd[g])) > 255) valid = false;
    }
    if (valid) return 'IP_ADDRESS';
  }
  if (!flags.phone) return undefined;
  if (plus) {
    return total >= 8 && total <= 15 && hasCallingCode(digits) ? 'PHONE' : undefined;
  }
  if (count < 2) return undefined;
  const d0 = digits.charCodeAt(0);
  const d1 = digits.charCodeAt(1);
  if (d0 === 48 && d1 === 48) {
    // 00 international prefix.
    const rest = digits.slice(2);
    return rest.length >= 8 && rest.length <= 15 && hasCallingCode(rest) ? 'PHONE' : undefined;
  }
  if (count === 3 && DATE_SHAPES.has(lens)) return undefined;
  // North American numbering plan: [2-9]XX [2-9]XX XXXX, optionally led by 1.
  const nanp = lens === '3,3,4,' ? digits : lens === '1,3,3,4,' && d0 === 49 ? digits.slice(1) : '';
  if (nanp !== '' && nanp.charCodeAt(0) >= 50 && nanp.charCodeAt(3) >= 50) return 'PHONE';
  // Brazil: (AA) NNNN-NNNN or (AA) 9NNNN-NNNN.
  if (paren && count === 3 && (lens === '2,4,4,' || lens === '2,5,4,') && d0 !== 48) return 'PHONE';
  // Trunk prefix 0 (UK, DE, FR, IT landlines, NL, IN, BR): 9-12 digits in 2-5 groups.
  if (d0 === 48 && total >= 9 && total <= 12 && count <= 5) {
    const firstLen = gEnd[first]! - gStart[first]!;
    let ok = firstLen >= 2 && firstLen <= 6;
    for (let g = first + 1; ok && g < first + count; g++) if (gEnd[g]! - gStart[g]! < 2) ok = false;
    if (ok) return 'PHONE';
  }
  // Spain: 9 digits starting 6-9.
  if (total === 9 && d0 >= 54 && (lens === '3,3,3,' || lens === '3,2,2,2,')) return 'PHONE';
  // Italy mobile: 3XX XXX XXXX; India mobile: XXXXX XXXXX starting 6-9.
  if (total === 10 && d0 === 51 && (lens === '3,3,4,' || lens === '3,7,')) return 'PHONE';
  if (total === 10 && d0 >= 54 && lens === '5,5,') return 'PHONE';
  return undefined;
}

/**
 * Finds cards, SSNs, IPv4 addresses and phone numbers in `s`, appending to `out`. Runs glued
 * to a word on either side (`ORD-2024-0042`, `v1.2.3.4`, `2024-01-02T…`) are identifiers and
 * are skipped whole.
 */
export function scanDigits(s: string, firstDigit: number, flags: ScanFlags, out: Match[]): void {
  const n = s.length;
  let i = firstDigit;
  while (i < n) {
    if (!isDigit(s.charCodeAt(i))) {
      i++;
      continue;
    }
    let start = i;
    let plus = false;
    let paren = false;
    if (start > 0 && s.charCodeAt(start - 1) === 40) {
      start--;
      paren = true;
    }
    if (start > 0 && s.charCodeAt(start - 1) === 43) {
      start--;
      plus = true;
    }
    let attachedStart = false;
    if (start > 0) {
      const p = s.charCodeAt(start - 1);
      if (isWordChar(p)) attachedStart = true;
      else if (isJoiner(p) && start > 1 && isWordChar(s.charCodeAt(start - 2)))
        attachedStart = true;
    }
    // Collect the groups of the run.
    let groups = 0;
    let j = i;
    for (;;) {
      const gs = j;
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      if (groups === gStart.length) grow(groups);
      gStart[groups] = gs;
      gEnd[groups] = j;
      groups++;
      let k = j;
      while (k < n && k - j < MAX_SEPARATOR && isSeparator(s.charCodeAt(k))) k++;
      if (k > j && k < n && isDigit(s.charCodeAt(k))) {
        j = k;
        continue;
      }
      break;
    }
    let attachedEnd = false;
    if (j < n) {
      const c = s.charCodeAt(j);
      if (isWordChar(c)) attachedEnd = true;
      else if (isJoiner(c) && j + 1 < n && isWordChar(s.charCodeAt(j + 1))) attachedEnd = true;
    }
    classifyRun(s, groups, start, plus, paren, attachedStart, attachedEnd, flags, out);
    i = j;
  }
}

function classifyRun(
  s: string,
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
    CARD_SHAPES.has(lengths(0, groups)) &&
    sameSeparators(s, 0, groups, ' -')
  ) {
    if (flags.card && !plus && isCardNumber(digitsOf(s, 0, groups))) {
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
    if (g > 0 && !isSoftBoundary(s, gEnd[g - 1]!, gStart[g]!)) {
      g++;
      continue;
    }
    let found = 0;
    let type: string | undefined;
    let digits = 0;
    let maxCount = 0;
    for (let k = 1; k <= MAX_WINDOW_GROUPS && g + k <= limit; k++) {
      digits += gEnd[g + k - 1]! - gStart[g + k - 1]!;
      if (digits > MAX_WINDOW_DIGITS) break;
      maxCount = k;
    }
    for (let k = maxCount; k >= 1; k--) {
      const last = g + k - 1;
      if (last + 1 < groups && !isSoftBoundary(s, gEnd[last]!, gStart[last + 1]!)) continue;
      const windowPlus = plus && g === 0;
      let windowParen = g === 0 ? paren : s.charCodeAt(gStart[g]! - 1) === 40;
      if (windowParen && k > 1 && s.charCodeAt(gEnd[g]!) !== 41) windowParen = false;
      type = classify(s, g, k, windowPlus, windowParen, flags);
      if (type !== undefined) {
        found = k;
        break;
      }
    }
    if (type !== undefined) {
      let start = g === 0 ? runStart : gStart[g]!;
      if (g > 0 && s.charCodeAt(start - 1) === 40) start--;
      out.push({ start, end: gEnd[g + found - 1]!, type });
      g += found;
    } else {
      g++;
    }
  }
}
