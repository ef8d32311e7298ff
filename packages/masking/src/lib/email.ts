import type { Match } from './match.js';

// E-mail addresses are found around each '@' by hand: the local part is read leftwards (at
// most 64 characters, stopping at the previous '@'), the domain rightwards (at most 253), so
// every character is read a bounded number of times, whatever the input.

function isLocalChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 46 || // .
    c === 95 || // _
    c === 37 || // %
    c === 43 || // +
    c === 45 || // -
    c === 39 // '
  );
}

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45;
}

function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/**
 * Reads the e-mail address around the '@' at `at` (its local part starts at `floor` or later)
 * and appends it to `out`. Returns where the next local part may start: the end of the address,
 * or `at + 1` when there is none.
 */
export function emailAt(
  b: Uint16Array,
  n: number,
  at: number,
  floor: number,
  out: Match[],
): number {
  let start = at;
  const limit = Math.max(floor, at - 64);
  while (start > limit && isLocalChar(b[start - 1]!)) start--;
  while (start < at && (b[start]! === 46 || b[start]! === 39)) start++;
  let end = at + 1;
  let lastDot = -1;
  let labelLen = 0;
  const max = Math.min(n, at + 254);
  while (end < max) {
    const c = b[end]!;
    if (isLabelChar(c)) {
      labelLen++;
      if (labelLen > 63) break;
    } else if (c === 46 && labelLen > 0 && end + 1 < n && isLabelChar(b[end + 1]!)) {
      lastDot = end;
      labelLen = 0;
    } else break;
    end++;
  }
  // Trim trailing hyphens, then require a top-level domain of two or more letters.
  while (end > at + 1 && b[end - 1]! === 45) end--;
  let valid = start < at && lastDot > at + 1 && end - lastDot > 2;
  if (valid) {
    for (let k = lastDot + 1; k < end; k++) {
      if (!isAlpha(b[k]!)) {
        valid = false;
        break;
      }
    }
  }
  if (!valid) return at + 1;
  out.push({ start, end, type: 'EMAIL' });
  return end;
}
