import { ibanLengthOf } from './checks.js';
import { holdCharCodes, releaseCharCodes } from './char-codes.js';
import { codeAt, ipv6At, vatAt } from './codes.js';
import { labelAt } from './context.js';
import { digitRunAt } from './digits.js';
import { emailAt } from './email.js';
import type { Match, ScanFlags } from './match.js';

/** A custom detector, compiled. */
export interface CompiledDetector {
  readonly type: string;
  readonly re: RegExp;
  readonly validator: ((match: string) => boolean) | undefined;
}

/** What {@link scanText} runs. */
export interface Scanner {
  readonly flags: ScanFlags;
  readonly anyDigitScan: boolean;
  readonly anyCodeScan: boolean;
  readonly anyLabelScan: boolean;
  readonly custom: readonly CompiledDetector[];
}

// The scanners share one pass over the characters. Each regular expression is tried only
// where it could match (a word that starts like a label, two capitals, a key prefix, a colon
// after at most four hex digits…), at that position, so most text costs a test or two per
// character. Each scanner keeps its own "search from here" index, which makes the result the
// same as running each scanner's global search over the whole string in turn.

// What each UTF-16 code unit may start, one class each. The scan loop tells letters and digits
// by arithmetic on the unit (LOWER_TRIGGERS says which lower-case letters are TRIGGERs) and
// reads the table for the rest; other code reads the table for any unit. The two letter classes
// come last: `k >= LETTER` is any letter.
const OTHER = 0;
const DIGIT = 1;
const SPECIAL = 2; // '@' (e-mail), ':' (IPv6), '-' (PEM header)
/** Control characters and surrogates: see {@link unsafeAt}. */
const UNSAFE = 3;
const LETTER = 4; // [A-Za-z_] that starts nothing
const TRIGGER = 5; // a letter a label, a VAT number or a code may start with
const CLASS = new Uint8Array(65_536);
CLASS.fill(UNSAFE, 0, 32);
CLASS.fill(UNSAFE, 0xd800, 0xe000);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
for (let c = 65; c <= 90; c++) CLASS[c] = TRIGGER;
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER;
for (const c of 'bdnmpserdgx') CLASS[c.charCodeAt(0)] = TRIGGER;
/** The lower-case letters of TRIGGER, a bit each (bit 0 for `a`). */
let lowerTriggers = 0;
for (const c of 'bdnmpserdgx') lowerTriggers |= 1 << (c.charCodeAt(0) - 97);
const LOWER_TRIGGERS = lowerTriggers;
CLASS[95] = LETTER;
CLASS[64] = SPECIAL;
CLASS[58] = SPECIAL;
CLASS[45] = SPECIAL;

/**
 * Word starts, by their first two characters (ASCII, 7 bits each): 1 when a label, a VAT
 * number or a code may start there (mayBeLabel, mayBeCode and vatAt then decide).
 */
const PAIR = new Uint8Array(128 * 128);
{
  const lowers = 'abcdefghijklmnopqrstuvwxyz';
  const uppers = lowers.toUpperCase();
  const pairs: string[] = [];
  // Labels, case-insensitive: bo(rn) bi(rth) do(b) d.(o.b) da(te) np(i) mr(n) me(dical)
  // pa(ssport) ss(n) so(cial).
  for (const p of ['bo', 'bi', 'do', 'd.', 'da', 'np', 'mr', 'me', 'pa', 'ss', 'so']) {
    for (const a of [p[0]!, p[0]!.toUpperCase()])
      for (const c of [p[1]!, p[1]!.toUpperCase()]) pairs.push(a + c);
  }
  // Codes: eyJ, Bearer/bearer, sk_ sk-, rk_, gh?_, github_pat_, glpat-, xox?-, npm_.
  pairs.push('ey', 'Be', 'be', 'sk', 'rk', 'gh', 'gi', 'gl', 'xo', 'np');
  // Two capitals: VAT numbers, IBANs, AWS keys, SG., BEARER.
  for (const a of uppers) for (const c of uppers) pairs.push(a + c);
  for (const p of pairs) PAIR[(p.charCodeAt(0) << 7) | p.charCodeAt(1)] = 1;
}

/** [A-Za-z0-9_], as in \b and \w. */
function isWord(c: number): boolean {
  const k = CLASS[c]!;
  return k >= LETTER || k === DIGIT;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** The word at `i` may start one of the labels of context.ts (which ignore case). */
function mayBeLabel(i: number): boolean {
  const a = lower(b[i]!);
  const n1 = lower(b[i + 1]!);
  const c = lower(b[i + 2]!);
  switch (a) {
    case 98: // born, birth…
      return (n1 === 111 || n1 === 105) && c === 114;
    case 100: // dob, d.o.b, date of birth
      return (n1 === 111 && c === 98) || (n1 === 46 && c === 111) || (n1 === 97 && c === 116);
    case 110: // npi
      return n1 === 112 && c === 105;
    case 109: // mrn, medical record
      return (n1 === 114 && c === 110) || (n1 === 101 && c === 100);
    case 112: // passport
      return n1 === 97 && c === 115;
    case 115: // ssn, social security
      return (n1 === 115 && c === 110) || (n1 === 111 && c === 99);
    default:
      return false;
  }
}

/** The word at `i` may start one of the codes of codes.ts (IBAN, AWS, JWT, bearer, API key). */
function mayBeCode(i: number): boolean {
  const a = b[i]!;
  const n1 = b[i + 1]!;
  const c = b[i + 2]!;
  if (isUpper(a) && isUpper(n1)) {
    return (
      // An IBAN: a country that has them, then a digit (nothing else in codes.ts starts with
      // two capitals and a digit).
      (c >= 48 && c <= 57 && flags.iban && ibanLengthOf(a, n1) > 0) ||
      (a === 65 && (isUpper(c) || c === 122)) || // AKIA…, AIza
      (a === 83 && n1 === 71 && c === 46) || // SG.
      (a === 66 && n1 === 69 && c === 65) // BEARER
    );
  }
  switch (a) {
    case 101: // eyJ
      return n1 === 121 && c === 74;
    case 66: // Bearer
    case 98: // bearer
      return n1 === 101 && c === 97;
    case 115: // sk_, sk-
      return n1 === 107 && (c === 95 || c === 45);
    case 114: // rk_
      return n1 === 107 && c === 95;
    case 103: // gh?_, github_pat_, glpat-
      return (n1 === 104 && c !== 95) || (n1 === 105 && c === 116) || (n1 === 108 && c === 112);
    case 120: // xox?-
      return n1 === 111 && c === 120;
    case 110: // npm_
      return n1 === 112 && c === 109;
    default:
      return false;
  }
}

/**
 * An IPv6 address may start at `p` (the first of at most four hex digits before the colon at
 * `colon`): nothing that glues it to a word or another address before it, and address
 * characters after the colon with `::` or at least six colons among them (a valid address has
 * one or the other).
 */
function mayBeIpv6(p: number, colon: number): boolean {
  if (p > 0) {
    const before = b[p - 1]!;
    if (isWord(before) || before === 58 || before === 46) return false;
  }
  let colons = 0;
  for (let j = colon; j < colon + 46; j++) {
    const c = b[j]!;
    if (c === 58) {
      if (b[j + 1] === 58) return true;
      if (++colons === 6) return true;
    } else if (!isHex(c) && c !== 46) return false;
  }
  return false;
}

const PEM_START = '-----BEGIN ';

// Where each scanner's search goes on ("lastIndex"), and the call's settings: module state,
// so that the rare work can leave the hot loop (a scan never runs inside another one).
let digitFloor = 0;
let emailFloor = 0;
let labelFloor = 0;
let vatFloor = 0;
let codeFloor = 0;
let ipFloor = 0;
let flags: ScanFlags;
let quoted = false;
const NO_MATCHES: Match[] = [];
let out: Match[] = NO_MATCHES;
let nextDigit = -1;
/** No digit before this position (from where digitSoon last looked). */
let noDigitUntil = 0;
/** Code units of the text being scanned (see char-codes.ts) and its length. */
let b: Uint16Array = new Uint16Array(0);
let n = 0;
/** End of the range being scanned (in a JSON text, the closing quote of its string). */
let stop = 0;
let unsafe = -1;

/**
 * A labelled value has a digit (dates too), at most 22 characters of label, 24 of filler and 20
 * of value before it: without a digit in the next 80 characters no label at `i` can match.
 * What was read is kept (the next digit, or how far there is none), so each character is read
 * at most once per scan whatever the labels.
 */
function digitSoon(i: number): boolean {
  if (nextDigit >= i) return nextDigit < i + 80;
  let k = i > noDigitUntil ? i : noDigitUntil;
  const limit = i + 80 < n ? i + 80 : n;
  for (; k < limit; k++) {
    const c = b[k]!;
    if (c >= 48 && c <= 57) {
      nextDigit = k;
      return true;
    }
  }
  noDigitUntil = k;
  return false;
}

/**
 * The digit run at `i` of `codes`: skipped whole (nothing else starts inside one); returns its
 * end. (The code units come as an argument and the separators are spelled out: this runs for
 * every digit run, inside the scan loop, where module state and helpers cost checks.)
 */
function atDigit(codes: Uint16Array, i: number, to: number): number {
  // Most runs are one group of fewer than eight digits, where nothing can be found.
  let e = i + 1;
  let d = codes[e]!;
  while (e < to && d >= 48 && d <= 57) d = codes[++e]!;
  if (e - i < 8) {
    // A short group is a run only if at most three separators (space - . / ( )) lead to
    // another group. (The zeros after the text are neither.)
    let k = e;
    let c = d;
    while (k - e < 3 && (c === 32 || c === 45 || c === 46 || c === 47 || c === 40 || c === 41))
      c = codes[++k]!;
    if (k === e || c < 48 || c > 57) return (digitFloor = e);
  }
  return (digitFloor = digitRunAt(codes, n, i, e, flags, out));
}

/** A word that starts with a letter some label, VAT number or code starts with. */
function atWordStart(s: string, i: number, scanner: Scanner): void {
  if (i + 2 >= n) return;
  if (scanner.anyLabelScan && i >= labelFloor && mayBeLabel(i) && digitSoon(i)) {
    const r = labelAt(s, i, flags, out, quoted);
    if (r !== -1) labelFloor = r;
  }
  if (flags.vat && i >= vatFloor && isUpper(b[i]!) && isUpper(b[i + 1]!)) {
    const r = vatAt(s, i, out);
    if (r !== -1) vatFloor = r;
  }
  if (scanner.anyCodeScan && i >= codeFloor && mayBeCode(i)) {
    const r = codeAt(s, i, flags, out, stop);
    if (r !== -1) codeFloor = r;
  }
}

/** '@', ':' or '-'. */
function atSpecial(s: string, i: number, c: number, scanner: Scanner): void {
  if (c === 64) {
    if (flags.email && i >= emailFloor) emailFloor = emailAt(b, n, i, emailFloor, out);
  } else if (c === 58) {
    if (flags.ip) {
      // The address starts after the hex digits just before this colon (at most four).
      let p = i;
      while (p > 0 && i - p < 5 && isHex(b[p - 1]!)) p--;
      if (i - p <= 4 && p >= ipFloor && mayBeIpv6(p, i)) {
        const r = ipv6At(s, p, out);
        if (r !== -1) ipFloor = r;
      }
    }
  } else if (
    scanner.anyCodeScan &&
    i >= codeFloor &&
    b[i + 1] === 45 &&
    s.startsWith(PEM_START, i)
  ) {
    const r = codeAt(s, i, flags, out, stop);
    if (r !== -1) codeFloor = r;
  }
}

/**
 * A control character or a surrogate at `i`: notes `i` in {@link unsafe} when it is a control
 * character or a lone surrogate (neither appears raw in what JSON.stringify writes).
 */
function atUnsafe(i: number, c: number): void {
  if (!quoted || unsafe !== -1) return;
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = b[i + 1]!;
    if (i + 1 < n && next >= 0xdc00 && next <= 0xdfff) return;
  } else if (c >= 0xdc00 && c <= 0xdfff) {
    const before = i > 0 ? b[i - 1]! : 0;
    if (before >= 0xd800 && before <= 0xdbff) return;
  }
  unsafe = i;
}

/**
 * Appends what the built-in scanners find in `s[from, to)` to `found`, each scanner in order
 * of position; `codes` are the code units of `s`. With `inQuotes`, the range is the inside of
 * a JSON string without escapes: the `"` on each side ends every value as the ends of a string
 * would.
 */
function scanBuiltins(
  s: string,
  codes: Uint16Array,
  from: number,
  to: number,
  scanner: Scanner,
  inQuotes: boolean,
  found: Match[],
): void {
  flags = scanner.flags;
  quoted = inQuotes;
  out = found;
  b = codes;
  n = s.length;
  stop = to;
  digitFloor = emailFloor = labelFloor = vatFloor = codeFloor = ipFloor = from;
  nextDigit = -1;
  noDigitUntil = from;
  // Negated twice: V8 does not know that a boolean read from an object is one, and would test
  // it in the loop as it tests any value (false, '', 0, NaN, 0n, document.all…).
  /* eslint-disable @typescript-eslint/no-unnecessary-type-conversion */
  const digits = !!scanner.anyDigitScan;
  const words = !!(scanner.anyLabelScan || scanner.anyCodeScan || flags.vat);
  const specials = !!(flags.email || flags.ip || scanner.anyCodeScan);
  /* eslint-enable @typescript-eslint/no-unnecessary-type-conversion */
  let prevWord = false;
  for (let i = from; i < to; i++) {
    const c = codes[i]!;
    if (c === 32) {
      prevWord = false;
      continue;
    }
    // Letters and digits are told by arithmetic on the unit, the rest by the class table (in
    // V8 each read of a table is checked, and letters and digits are most of the text).
    const letter = ((c | 32) - 97) >>> 0;
    if (letter < 26 || c === 95) {
      // A capital, or a lower-case letter in LOWER_TRIGGERS, may start a label, a VAT number
      // or a code (see PAIR).
      if (!prevWord && words && (c <= 90 || (c >= 97 && ((LOWER_TRIGGERS >>> letter) & 1) !== 0))) {
        const next = codes[i + 1]!;
        if (next < 128 && PAIR[(c << 7) | next] === 1) atWordStart(s, i, scanner);
      }
      // The rest of the word ([A-Za-z_]) starts nothing. (The unit at `to` is a quote or a
      // zero after the text: a word ends there.)
      let u = codes[++i]!;
      while (((u | 32) - 97) >>> 0 < 26 || u === 95) u = codes[++i]!;
      i--;
      prevWord = true;
    } else if ((c - 48) >>> 0 < 10) {
      if (digits && i >= digitFloor) {
        // A UTC date-time as Date#toJSON writes it, where a digit run would start: skipped
        // whole (nothing starts inside one, see isTimestamp; the run at its date is glued to
        // its `T`, the colons follow a letter or a colon, no word starts inside it).
        const z = codes[i + 4] === 45 && codes[i + 10] === 84 ? timestampEnd(codes, i, to) : -1;
        i = (z === -1 ? atDigit(codes, i, to) : z) - 1;
      }
      prevWord = true;
    } else {
      const k = CLASS[c]!;
      if (k !== OTHER) {
        if (k === SPECIAL) {
          if (specials) atSpecial(s, i, c, scanner);
        } else atUnsafe(i, c);
      }
      prevWord = false;
    }
  }
  out = NO_MATCHES;
}

// Scanners in the order they used to run one after the other; a tie on position goes to the
// earlier one, as it did then.
const RANK: Readonly<Record<string, number>> = {
  EMAIL: 0,
  CREDIT_CARD: 1,
  US_SSN: 1,
  IP_ADDRESS: 1,
  PHONE: 1,
  DATE_OF_BIRTH: 2,
  NPI: 2,
  MRN: 2,
  US_PASSPORT: 2,
  EU_VAT: 3,
  IBAN: 4,
  AWS_ACCESS_KEY: 4,
  JWT: 4,
  PRIVATE_KEY: 4,
  BEARER_TOKEN: 4,
  API_KEY: 4,
};

function rank(type: string): number {
  return Object.hasOwn(RANK, type) ? RANK[type]! : 6;
}

function byStart(a: Match, b: Match): number {
  return a.start - b.start || b.end - a.end || rank(a.type) - rank(b.type);
}

function scanCustom(s: string, detector: CompiledDetector, out: Match[]): void {
  const re = detector.re;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const text = m[0];
    if (text.length === 0) {
      re.lastIndex++;
      continue;
    }
    if (detector.validator === undefined || detector.validator(text)) {
      out.push({ start: m.index, end: m.index + text.length, type: detector.type });
    }
  }
}

function sortAndSeparate(out: Match[]): Match[] {
  // Usually in order already, and apart: then sorting and separating change nothing.
  let ordered = true;
  for (let k = 1; k < out.length; k++) {
    if (out[k]!.start < out[k - 1]!.end) {
      ordered = false;
      break;
    }
  }
  if (ordered) return out;
  out.sort(byStart);
  const kept: Match[] = [];
  let end = -1;
  for (const m of out) {
    if (m.start >= end) {
      kept.push(m);
      end = m.end;
    }
  }
  return kept;
}

/**
 * Finds every sensitive value in `s`: sorted, non-overlapping matches (the earliest, then the
 * longest, wins), or `undefined` when there is none.
 */
export function scanText(s: string, scanner: Scanner): Match[] | undefined {
  const out: Match[] = [];
  const codes = holdCharCodes(s);
  try {
    scanBuiltins(s, codes, 0, s.length, scanner, false, out);
  } finally {
    releaseCharCodes(codes);
  }
  for (const detector of scanner.custom) scanCustom(s, detector, out);
  return out.length === 0 ? undefined : sortAndSeparate(out);
}

function isDigitAt(codes: Uint16Array, i: number): boolean {
  const c = codes[i]!;
  return c >= 48 && c <= 57;
}

/**
 * `codes[from, to)` is a UTC ISO 8601 date-time as `Date#toJSON` writes it,
 * `YYYY-MM-DDThh:mm:ss`, an optional fraction, then `Z`: the commonest string in tool results,
 * in which no scanner finds anything (the date and the seconds are glued to a letter, hours
 * and minutes are short groups after a letter or a colon, no word starts inside it), so it is
 * not scanned. (With an offset instead of `Z` a long fraction could read as a phone number;
 * such strings are scanned as usual.)
 */
function isTimestamp(codes: Uint16Array, from: number, to: number): boolean {
  const length = to - from;
  if (length < 20 || length > 30 || codes[to - 1] !== 90) return false;
  return timestampEnd(codes, from, to) === to;
}

/**
 * End (after its `Z`) of the UTC date-time `YYYY-MM-DDThh:mm:ss[.fraction]Z` (at most 30
 * characters) that starts at `from` and ends before `to`, or -1.
 */
function timestampEnd(codes: Uint16Array, from: number, to: number): number {
  if (to - from < 20 || codes[from + 10] !== 84) return -1;
  for (let k = 0; k < 19; k++) {
    const c = codes[from + k]!;
    if (k === 4 || k === 7) {
      if (c !== 45) return -1;
    } else if (k === 13 || k === 16) {
      if (c !== 58) return -1;
    } else if (k !== 10 && !(c >= 48 && c <= 57)) return -1;
  }
  let i = from + 19;
  if (codes[i] === 46) {
    const limit = Math.min(to - 1, from + 29);
    const digits = ++i;
    while (i < limit && isDigitAt(codes, i)) i++;
    if (i === digits) return -1;
  }
  return i < to && codes[i] === 90 ? i + 1 : -1;
}

/**
 * `codes[from, to)` is a UUID written in lower case (8-4-4-4-12 digits and `a`-`f`), in which
 * no scanner finds anything: its digit runs are joined by hyphens only and glued to letters or
 * whole (five groups no window fits), its words start with `a`-`f` (no label, code or VAT
 * number starts so but `bea`, which is no `bearer`), and no `--`, `@` or `:` is in it. (Upper
 * case ones are scanned as usual: `BE0123456789` is a VAT number.)
 */
function isUuid(codes: Uint16Array, from: number, to: number): boolean {
  if (to - from !== 36) return false;
  for (let k = 0; k < 36; k++) {
    const c = codes[from + k]!;
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

// Reused by scanQuoted (most strings have no match, and then nothing is allocated).
const QUOTED_MATCHES: Match[] = [];

/**
 * {@link scanText} of the inside `s[from, to)` of a JSON string without escapes (the string
 * itself is not built), built-in scanners only; `codes` are the code units of `s` (from
 * char-codes.ts). Match positions are positions in `s`. The array returned is reused by the
 * next call: use it before scanning again.
 */
export function scanQuoted(
  s: string,
  codes: Uint16Array,
  from: number,
  to: number,
  scanner: Scanner,
): Match[] | undefined {
  if (isTimestamp(codes, from, to) || isUuid(codes, from, to)) return undefined;
  const found = QUOTED_MATCHES;
  // (Popped rather than cut: setting an array's length is a call into the runtime.)
  for (let k = found.length; k > 0; k--) found.pop();
  scanBuiltins(s, codes, from, to, scanner, true, found);
  if (found.length === 0) return undefined;
  return sortAndSeparate(found);
}

/**
 * Where the last {@link scanQuoted} calls saw a raw control character or lone surrogate (what
 * a canonical JSON text never holds), or -1; {@link swapUnsafe} starts over.
 */
export function unsafeAt(): number {
  return unsafe;
}

/** Whether `codes[from, to)` holds a control character or a lone surrogate. */
export function hasUnsafe(codes: Uint16Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = codes[i]!;
    if (c < 32) return true;
    if (c >= 0xd800 && c <= 0xdfff) {
      const pair =
        c <= 0xdbff
          ? i + 1 < to && codes[i + 1]! >= 0xdc00 && codes[i + 1]! <= 0xdfff
          : i > from && codes[i - 1]! >= 0xd800 && codes[i - 1]! <= 0xdbff;
      if (!pair) return true;
    }
  }
  return false;
}

/** Sets what {@link unsafeAt} returns (-1 to start over); returns what it returned before. */
export function swapUnsafe(value: number): number {
  const before = unsafe;
  unsafe = value;
  return before;
}
