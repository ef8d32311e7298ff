import { isAlnum, isDigit } from './ascii.js';
import { ibanLengthOf, isIPv6, mod97Step } from './checks.js';
import type { Match, ScanFlags } from './match.js';

// Letter-led codes and secrets, one sticky pattern per kind, tried at a word start by its first
// character (IBAN candidates: see IBAN_CANDIDATE). Every repetition is bounded and no
// quantified group contains another quantifier over an overlapping class, so the regex engine
// does a bounded amount of work per starting position; `\b` keeps starts to word beginnings.
// `test` with `lastIndex` gives where each ends, so no match array is built.

/** AWS access key id. */
const AWS = /\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/y;
/** JWT (header and payload are base64url JSON objects). */
const JWT = /\beyJ[A-Za-z0-9_-]{4,4096}\.eyJ[A-Za-z0-9_-]{2,16384}\.[A-Za-z0-9_-]{0,4096}/y;
/** PEM private key header. */
const PEM = /-----BEGIN (?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY-----/y;
/** Bearer credential: the scheme, blanks, then the token. */
const BEARER = /\b(?:Bearer|bearer|BEARER)[ \t]{1,4}[A-Za-z0-9._~+/-]{12,4096}={0,2}/y;
/** Well-known API key formats. */
const API_KEY = new RegExp(
  [
    '\\b(?:sk_(?:live|test)_[A-Za-z0-9]{16,247}|rk_(?:live|test)_[A-Za-z0-9]{16,247}',
    '|gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251}',
    '|xox[abprs]-[A-Za-z0-9-]{10,250}|AIza[A-Za-z0-9_-]{35}|glpat-[A-Za-z0-9_-]{20,64}',
    '|npm_[A-Za-z0-9]{36}|SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}',
    '|sk-(?:proj-|ant-(?:api\\d{2}-)?)?[A-Za-z0-9_-]{20,200})(?![A-Za-z0-9_-])',
  ].join(''),
  'y',
);

/** End of the match of the sticky `re` at `p` in `s`, or -1. */
function endOf(re: RegExp, s: string, p: number): number {
  re.lastIndex = p;
  return re.test(s) ? re.lastIndex : -1;
}

// EU VAT identifiers (VIES formats), optional space after the country prefix.
const VAT = new RegExp(
  '(?:ATU\\d{8}|BE ?[01]\\d{9}|BG ?\\d{9,10}|CY ?\\d{8}[A-Z]|CZ ?\\d{8,10}|DE ?\\d{9}|DK ?\\d{8}' +
    '|EE ?\\d{9}|EL ?\\d{9}|ES ?[A-Z0-9]\\d{7}[A-Z0-9]|FI ?\\d{8}|FR ?[A-HJ-NP-Z0-9]{2}\\d{9}' +
    '|HR ?\\d{11}|HU ?\\d{8}|IE ?\\d{7}[A-W][A-I]?|IE ?\\d[A-Z+*]\\d{5}[A-W]|IT ?\\d{11}' +
    '|LT ?(?:\\d{12}|\\d{9})|LU ?\\d{8}|LV ?\\d{11}|MT ?\\d{8}|NL ?\\d{9}B\\d{2}|PL ?\\d{10}' +
    '|PT ?\\d{9}|RO ?\\d{6,10}|SE ?\\d{10}01|SI ?\\d{8}|SK ?\\d{10}|XI ?\\d{9})(?![A-Za-z0-9])',
  'y',
);
// Country prefixes of the VAT formats above followed by an optional space and a digit (Austria
// is ATU and a digit; Spain may have a letter first), by (first letter, second letter).
const VAT_PREFIX = new Uint8Array(26 * 26);
for (const p of 'BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI'.split(
  ' ',
)) {
  VAT_PREFIX[(p.charCodeAt(0) - 65) * 26 + p.charCodeAt(1) - 65] = 1;
}

// The IBAN candidate of CODES alone: two capitals and a digit start nothing else there.
const IBAN_CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}/y;

const PEM_END = '-----END ';
const MAX_PEM = 65_536;

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** A VAT prefix starts at the word start `p`: ATU and a digit, or a country, a space or not, a digit (ES: or a letter and a digit). */
function vatStart(s: string, p: number): boolean {
  const a = s.charCodeAt(p);
  const b = s.charCodeAt(p + 1);
  if (!isUpper(a) || !isUpper(b)) return false;
  if (a === 65 && b === 84) return s.charCodeAt(p + 2) === 85 && isDigit(s.charCodeAt(p + 3));
  if (VAT_PREFIX[(a - 65) * 26 + b - 65] !== 1) return false;
  let k = p + 2;
  if (s.charCodeAt(k) === 32) k++;
  const c = s.charCodeAt(k);
  if (isDigit(c)) return true;
  return a === 69 && b === 83 && isUpper(c) && isDigit(s.charCodeAt(k + 1));
}

/**
 * End of the IBAN that starts at `start` in the candidate `[start, candidateEnd)` (two capitals
 * and two digits, then capitals, digits and single spaces), or -1: its country's number of
 * characters, spaces not counted, passing mod 97 (read where they are: the characters after
 * the first four, then those four).
 */
function ibanEnd(s: string, start: number, candidateEnd: number): number {
  const length = ibanLengthOf(s.charCodeAt(start), s.charCodeAt(start + 1));
  if (length === 0) return -1;
  let rem = 0;
  let count = 4;
  let i = start + 4;
  while (i < candidateEnd && count < length) {
    const c = s.charCodeAt(i);
    if (c !== 32) {
      rem = mod97Step(rem, c);
      if (rem === -1) return -1;
      count++;
    }
    i++;
  }
  if (count !== length) return -1;
  for (let k = start; k < start + 4; k++) rem = mod97Step(rem, s.charCodeAt(k));
  if (rem !== 1) return -1;
  if (i < s.length && isAlnum(s.charCodeAt(i))) return -1;
  return i;
}

/**
 * Reads the IBAN, AWS key, JWT, private key, bearer token or API key that starts at `p`, if
 * any, appending it to `out`. Returns -1 when none of the patterns matches at `p`, else where
 * the search goes on. `stop` is the end of the text `p` is in (in a JSON text, the closing
 * quote of the string): a private key without its end marker before it ends there.
 */
export function codeAt(s: string, p: number, flags: ScanFlags, out: Match[], stop: number): number {
  if (isUpper(s.charCodeAt(p)) && isUpper(s.charCodeAt(p + 1)) && isDigit(s.charCodeAt(p + 2))) {
    const candidateEnd = endOf(IBAN_CANDIDATE, s, p);
    if (candidateEnd === -1) return -1;
    const end = flags.iban ? ibanEnd(s, p, candidateEnd) : -1;
    if (end === -1) return p + 2;
    out.push({ start: p, end, type: 'IBAN' });
    return end;
  }
  const at = p;
  const first = s.charCodeAt(p);
  if (first === 101) {
    const end = endOf(JWT, s, p);
    if (end === -1) return -1;
    if (flags.jwt) out.push({ start: at, end, type: 'JWT' });
    return end;
  }
  if (first === 45) {
    const from = endOf(PEM, s, p);
    if (from === -1) return -1;
    if (!flags.privateKey) return from;
    // The markers are searched for before `stop` only (a slice is a view, not a copy): a search
    // of the rest of the text for every header would be quadratic in a JSON array of headers.
    const text = stop === s.length ? s : s.slice(0, stop);
    const endMarker = text.indexOf(PEM_END, from);
    let end = stop;
    if (endMarker !== -1 && endMarker - at < MAX_PEM) {
      const close = text.indexOf('-----', endMarker + PEM_END.length);
      end = close === -1 ? stop : close + 5;
    }
    // No end marker: everything after the header is key material, masked to the end.
    out.push({ start: at, end, type: 'PRIVATE_KEY' });
    return end;
  }
  if (first === 66 || first === 98) {
    const end = endOf(BEARER, s, p);
    if (end === -1) return -1;
    if (flags.bearer) {
      let start = at + 6;
      while (s.charCodeAt(start) === 32 || s.charCodeAt(start) === 9) start++;
      out.push({ start, end, type: 'BEARER_TOKEN' });
    }
    return end;
  }
  if (first === 65) {
    const end = endOf(AWS, s, p);
    if (end !== -1) {
      if (flags.aws) out.push({ start: at, end, type: 'AWS_ACCESS_KEY' });
      return end;
    }
  }
  const end = endOf(API_KEY, s, p);
  if (end === -1) return -1;
  if (flags.apiKey) out.push({ start: at, end, type: 'API_KEY' });
  return end;
}

/**
 * Reads the EU VAT identifier that starts at `p`, if any. Returns -1 when no VAT prefix
 * starts at `p`, else where the search goes on.
 */
export function vatAt(s: string, p: number, out: Match[]): number {
  if (!vatStart(s, p)) return -1;
  const end = endOf(VAT, s, p);
  if (end === -1) return p + 1;
  out.push({ start: p, end, type: 'EU_VAT' });
  return end;
}

const IPV6 = /(?<![\w:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{1,44}(?![\w:.])/y;

/**
 * Reads the IPv6 address (validated by `node:net`) that starts at `p`, if any. Returns -1 when
 * the pattern does not match at `p`, else where the search goes on.
 */
export function ipv6At(s: string, p: number, out: Match[]): number {
  const end = endOf(IPV6, s, p);
  if (end === -1) return -1;
  if (isIPv6(s.slice(p, end))) out.push({ start: p, end, type: 'IP_ADDRESS' });
  return end;
}
