import { ibanLength } from './checks.js';
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
// after at most four hex digits…), at that position, so most text costs one table lookup per
// character. Each scanner keeps its own "search from here" index, which makes the result the
// same as running each scanner's global search over the whole string in turn.

// What each ASCII character may start: a table lookup per character is most of the work.
const WORD = 1; // [A-Za-z0-9_], as in \b and \w
const DIGIT = 2;
const TRIGGER = 4; // a letter a label, a VAT number or a code may start with
const SPECIAL = 8; // '@' (e-mail), ':' (IPv6), '-' (PEM header)
const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = WORD | DIGIT;
for (let c = 65; c <= 90; c++) CLASS[c] = WORD | TRIGGER;
for (let c = 97; c <= 122; c++) CLASS[c] = WORD;
for (const c of 'bdnmpserdgx') CLASS[c.charCodeAt(0)] = WORD | TRIGGER;
CLASS[95] = WORD;
CLASS[64] = SPECIAL;
CLASS[58] = SPECIAL;
CLASS[45] = SPECIAL;

/** A character that may join digit groups (see digits.ts). */
function isRunSeparator(c: number): boolean {
  return c === 32 || c === 45 || c === 46 || c === 47 || c === 40 || c === 41;
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
function mayBeLabel(s: string, i: number): boolean {
  const a = lower(s.charCodeAt(i));
  const b = lower(s.charCodeAt(i + 1));
  const c = lower(s.charCodeAt(i + 2));
  switch (a) {
    case 98: // born, birth…
      return (b === 111 || b === 105) && c === 114;
    case 100: // dob, d.o.b, date of birth
      return (b === 111 && c === 98) || (b === 46 && c === 111) || (b === 97 && c === 116);
    case 110: // npi
      return b === 112 && c === 105;
    case 109: // mrn, medical record
      return (b === 114 && c === 110) || (b === 101 && c === 100);
    case 112: // passport
      return b === 97 && c === 115;
    case 115: // ssn, social security
      return (b === 115 && c === 110) || (b === 111 && c === 99);
    default:
      return false;
  }
}

/** The word at `i` may start one of the codes of codes.ts (IBAN, AWS, JWT, bearer, API key). */
function mayBeCode(s: string, i: number): boolean {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  if (isUpper(a) && isUpper(b)) {
    return (
      (c >= 48 && c <= 57 && flags.iban && IBAN_COUNTRY[(a - 65) * 26 + b - 65] === 1) || // IBAN
      (a === 65 && (isUpper(c) || c === 122)) || // AKIA…, AIza
      (a === 83 && b === 71 && c === 46) || // SG.
      (a === 66 && b === 69 && c === 65) // BEARER
    );
  }
  switch (a) {
    case 101: // eyJ
      return b === 121 && c === 74;
    case 66: // Bearer
    case 98: // bearer
      return b === 101 && c === 97;
    case 115: // sk_, sk-
      return b === 107 && (c === 95 || c === 45);
    case 114: // rk_
      return b === 107 && c === 95;
    case 103: // gh?_, github_pat_, glpat-
      return (b === 104 && c !== 95) || (b === 105 && c === 116) || (b === 108 && c === 112);
    case 120: // xox?-
      return b === 111 && c === 120;
    case 110: // npm_
      return b === 112 && c === 109;
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
function mayBeIpv6(s: string, p: number, colon: number): boolean {
  if (p > 0) {
    const b = s.charCodeAt(p - 1);
    if ((b < 128 && (CLASS[b]! & WORD) !== 0) || b === 58 || b === 46) return false;
  }
  let colons = 0;
  for (let j = colon; j < colon + 46; j++) {
    const c = s.charCodeAt(j);
    if (c === 58) {
      if (s.charCodeAt(j + 1) === 58) return true;
      if (++colons === 6) return true;
    } else if (!isHex(c) && c !== 46) return false;
  }
  return false;
}

const PEM_START = '-----BEGIN ';

// Country codes with an IBAN, by (first letter, second letter). Any other "AB12…" cannot be
// an IBAN, and nothing else in codes.ts starts with two capitals and a digit.
const IBAN_COUNTRY = new Uint8Array(26 * 26);
for (let a = 0; a < 26; a++) {
  for (let b = 0; b < 26; b++) {
    if (ibanLength(String.fromCharCode(65 + a, 65 + b)) > 0) IBAN_COUNTRY[a * 26 + b] = 1;
  }
}

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
let out: Match[] = [];
let nextDigit = -1;

/**
 * A labelled value has a digit (dates too), at most 22 characters of label, 24 of filler and 20
 * of value before it: without a digit in the next 80 characters no label at `i` can match.
 * The position of the next digit is kept, so the text is read once whatever the labels.
 */
function digitSoon(s: string, i: number): boolean {
  if (nextDigit < i) {
    let k = i;
    const n = s.length;
    while (k < n) {
      const c = s.charCodeAt(k);
      if (c >= 48 && c <= 57) break;
      k++;
    }
    nextDigit = k;
  }
  return nextDigit < i + 80;
}

/** The digit run at `i`: skipped whole (nothing else starts inside one); returns its end. */
function atDigit(s: string, i: number, to: number): number {
  // Most runs are one group of fewer than eight digits, where nothing can be found.
  let e = i + 1;
  let d = s.charCodeAt(e);
  while (e < to && d >= 48 && d <= 57) d = s.charCodeAt(++e);
  digitFloor = e - i < 8 && !isRunSeparator(d) ? e : digitRunAt(s, i, flags, out);
  return digitFloor;
}

/** A word that starts with a letter some label, VAT number or code starts with. */
function atWordStart(s: string, i: number, scanner: Scanner): void {
  if (i + 2 >= s.length) return;
  if (scanner.anyLabelScan && i >= labelFloor && mayBeLabel(s, i) && digitSoon(s, i)) {
    const r = labelAt(s, i, flags, out, quoted);
    if (r !== -1) labelFloor = r;
  }
  if (flags.vat && i >= vatFloor && isUpper(s.charCodeAt(i)) && isUpper(s.charCodeAt(i + 1))) {
    const r = vatAt(s, i, out);
    if (r !== -1) vatFloor = r;
  }
  if (scanner.anyCodeScan && i >= codeFloor && mayBeCode(s, i)) {
    const r = codeAt(s, i, flags, out, quoted);
    if (r !== -1) codeFloor = r;
  }
}

/** '@', ':' or '-'. */
function atSpecial(s: string, i: number, c: number, scanner: Scanner): void {
  if (c === 64) {
    if (flags.email && i >= emailFloor) emailFloor = emailAt(s, i, emailFloor, out);
  } else if (c === 58) {
    if (flags.ip) {
      // The address starts after the hex digits just before this colon (at most four).
      let p = i;
      while (p > 0 && i - p < 5 && isHex(s.charCodeAt(p - 1))) p--;
      if (i - p <= 4 && p >= ipFloor && mayBeIpv6(s, p, i)) {
        const r = ipv6At(s, p, out);
        if (r !== -1) ipFloor = r;
      }
    }
  } else if (
    scanner.anyCodeScan &&
    i >= codeFloor &&
    s.charCodeAt(i + 1) === 45 &&
    s.startsWith(PEM_START, i)
  ) {
    const r = codeAt(s, i, flags, out, quoted);
    if (r !== -1) codeFloor = r;
  }
}

/**
 * Appends what the built-in scanners find in `s[from, to)` to `found`, each scanner in order
 * of position. With `inQuotes`, the range is the inside of a JSON string without escapes: the
 * `"` on each side ends every value as the ends of a string would.
 */
function scanBuiltins(
  s: string,
  from: number,
  to: number,
  scanner: Scanner,
  inQuotes: boolean,
  found: Match[],
): void {
  flags = scanner.flags;
  quoted = inQuotes;
  out = found;
  digitFloor = emailFloor = labelFloor = vatFloor = codeFloor = ipFloor = from;
  nextDigit = -1;
  const digits = scanner.anyDigitScan;
  const words = scanner.anyLabelScan || scanner.anyCodeScan || flags.vat;
  const specials = flags.email || flags.ip || scanner.anyCodeScan;
  let prevWord = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    const k = c < 128 ? CLASS[c]! : 0;
    if (k === WORD) {
      prevWord = true;
    } else if (k === 0) {
      prevWord = false;
    } else if ((k & DIGIT) !== 0) {
      if (digits && i >= digitFloor) i = atDigit(s, i, to) - 1;
      prevWord = true;
    } else if ((k & TRIGGER) !== 0) {
      if (!prevWord && words) atWordStart(s, i, scanner);
      prevWord = true;
    } else {
      if (specials) atSpecial(s, i, c, scanner);
      prevWord = false;
    }
  }
  out = [];
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
  if (out.length === 1) return out;
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
  scanBuiltins(s, 0, s.length, scanner, false, out);
  for (const detector of scanner.custom) scanCustom(s, detector, out);
  return out.length === 0 ? undefined : sortAndSeparate(out);
}

// Reused by scanQuoted (most strings have no match, and then nothing is allocated).
const QUOTED_MATCHES: Match[] = [];

/**
 * {@link scanText} of the inside `s[from, to)` of a JSON string without escapes (the string
 * itself is not built), built-in scanners only. Match positions are positions in `s`.
 */
export function scanQuoted(
  s: string,
  from: number,
  to: number,
  scanner: Scanner,
): Match[] | undefined {
  const found = QUOTED_MATCHES;
  found.length = 0;
  scanBuiltins(s, from, to, scanner, true, found);
  if (found.length === 0) return undefined;
  const out = found.slice();
  return out.length === 0 ? undefined : sortAndSeparate(out);
}
