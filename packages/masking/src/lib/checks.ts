import { isIPv4, isIPv6 } from 'node:net';
import { isDigit } from './ascii.js';

/** Luhn (mod 10) over a string of ASCII digits. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Card brands by prefix (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro). */
export function cardBrandPrefix(digits: string): boolean {
  const n = digits.length;
  const c0 = digits.charCodeAt(0) - 48;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  if (c0 === 4) return n === 13 || n === 16 || n === 19;
  if (p2 >= 51 && p2 <= 55) return n === 16;
  if (p4 >= 2221 && p4 <= 2720) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return n >= 16 && n <= 19;
  if (p2 === 36 || p2 === 38 || p2 === 39 || (p3 >= 300 && p3 <= 305)) return n >= 14 && n <= 19;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;
  if (p2 === 62) return n >= 16 && n <= 19;
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 12 && n <= 19;
  return false;
}

/** A payment card number: 12-19 digits, a known brand prefix and a valid Luhn check digit. */
export function isCardNumber(digits: string): boolean {
  return digits.length >= 12 && digits.length <= 19 && cardBrandPrefix(digits) && luhn(digits);
}

/** {@link isCardNumber} over digit values `buf[from..to)` (no string is built). */
export function isCardDigits(buf: Uint8Array, from: number, to: number): boolean {
  const n = to - from;
  if (n < 12 || n > 19) return false;
  const c0 = buf[from]!;
  const p2 = c0 * 10 + buf[from + 1]!;
  const p3 = p2 * 10 + buf[from + 2]!;
  const p4 = p3 * 10 + buf[from + 3]!;
  let brand: boolean;
  if (c0 === 4) brand = n === 13 || n === 16 || n === 19;
  else if (p2 >= 51 && p2 <= 55) brand = n === 16;
  else if (p4 >= 2221 && p4 <= 2720) brand = n === 16;
  else if (p2 === 34 || p2 === 37) brand = n === 15;
  else if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) brand = n >= 16;
  else if (p2 === 36 || p2 === 38 || p2 === 39 || (p3 >= 300 && p3 <= 305)) brand = n >= 14;
  else if (p4 >= 3528 && p4 <= 3589) brand = n >= 16;
  else if (p2 === 62) brand = n >= 16;
  else brand = p2 === 50 || (p2 >= 56 && p2 <= 69);
  if (!brand) return false;
  let sum = 0;
  let double = false;
  for (let i = to - 1; i >= from; i--) {
    let d = buf[i]!;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** {@link isUsSsn} over the nine digit values at `buf[from..from+9)`. */
export function isSsnDigits(buf: Uint8Array, from: number): boolean {
  const area = buf[from]! * 100 + buf[from + 1]! * 10 + buf[from + 2]!;
  if (area === 0 || area === 666 || buf[from]! === 9) return false;
  if (buf[from + 3]! === 0 && buf[from + 4]! === 0) return false;
  return buf[from + 5]! + buf[from + 6]! + buf[from + 7]! + buf[from + 8]! !== 0;
}

/** SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function isUsSsn(digits: string): boolean {
  if (digits.length !== 9 || !/^\d{9}$/.test(digits)) return false;
  const area = digits.slice(0, 3);
  if (area === '000' || area === '666' || area.charCodeAt(0) === 57) return false;
  if (digits.slice(3, 5) === '00') return false;
  return digits.slice(5) !== '0000';
}

/** NPI: 10 digits starting 1 or 2, Luhn over `80840` followed by the number. */
export function isNpi(digits: string): boolean {
  if (digits.length !== 10) return false;
  for (let i = 0; i < 10; i++) if (!isDigit(digits.charCodeAt(i))) return false;
  return isNpiAt(digits, 0);
}

/**
 * {@link isNpi} of the ten digits at `s[at, at + 10)` (the caller has matched them), without
 * building a string: the prefix `80840` adds 24 to the Luhn sum of the fifteen digits.
 */
export function isNpiAt(s: string, at: number): boolean {
  const first = s.charCodeAt(at);
  if (first !== 49 && first !== 50) return false;
  let sum = 24;
  for (let k = 0; k < 10; k++) {
    let d = s.charCodeAt(at + 9 - k) - 48;
    if (k % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** IBAN length per country (ISO 13616 registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

/** Expected IBAN length for a country code, or 0 when the country has no IBAN. */
export function ibanLength(country: string): number {
  return IBAN_LENGTHS[country] ?? 0;
}

/** IBAN lengths by country, at (first letter - 65) * 26 + (second letter - 65); 0 for none. */
const IBAN_LENGTH_TABLE = new Uint8Array(26 * 26);
for (const [country, length] of Object.entries(IBAN_LENGTHS)) {
  IBAN_LENGTH_TABLE[(country.charCodeAt(0) - 65) * 26 + country.charCodeAt(1) - 65] = length;
}

/** {@link ibanLength} of the country whose letters are the code units `a` and `b`. */
export function ibanLengthOf(a: number, b: number): number {
  return a >= 65 && a <= 90 && b >= 65 && b <= 90 ? IBAN_LENGTH_TABLE[(a - 65) * 26 + b - 65]! : 0;
}

/**
 * One step of ISO 7064 mod 97-10: the remainder `rem` followed by the IBAN character `c` (a
 * digit, or a capital read as 10-35), or -1 for any other character.
 */
export function mod97Step(rem: number, c: number): number {
  if (c >= 48 && c <= 57) return (rem * 10 + (c - 48)) % 97;
  if (c >= 65 && c <= 90) return (rem * 100 + (c - 55)) % 97;
  return -1;
}

/** ISO 7064 mod 97-10 over a compact IBAN (no spaces, upper case). */
export function ibanMod97(iban: string): boolean {
  let rem = 0;
  const n = iban.length;
  for (let k = 0; k < n && rem !== -1; k++) rem = mod97Step(rem, iban.charCodeAt((k + 4) % n));
  return rem === 1;
}

/** A full IBAN check: country length and mod 97. Spaces are ignored. */
export function isIban(value: string): boolean {
  const compact = value.replace(/ /g, '').toUpperCase();
  return compact.length === ibanLength(compact.slice(0, 2)) && ibanMod97(compact);
}

export { isIPv4, isIPv6 };

/** The named validators a config file can refer to. */
export const NAMED_VALIDATORS: Readonly<Record<string, (match: string) => boolean>> = {
  luhn: (m) => luhn(m.replace(/[^0-9]/g, '')),
  iban: isIban,
  us_ssn: (m) => isUsSsn(m.replace(/[^0-9]/g, '')),
  npi: (m) => isNpi(m.replace(/[^0-9]/g, '')),
  ipv4: isIPv4,
  ipv6: isIPv6,
};

/** E.164 country calling codes (ITU-T), for numbers written with `+` or `00`. */
const CALLING_CODES = new Set(
  (
    '1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 ' +
    '62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98 211 212 213 216 218 220 221 222 223 224 ' +
    '225 226 227 228 229 230 231 232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 ' +
    '248 249 250 251 252 253 254 255 256 257 258 260 261 262 263 264 265 266 267 268 269 290 ' +
    '291 297 298 299 350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375 376 377 ' +
    '378 380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 504 505 506 507 508 509 ' +
    '590 591 592 593 594 595 596 597 598 599 670 672 673 674 675 676 677 678 679 680 681 682 ' +
    '683 685 686 687 688 689 690 691 692 850 852 853 855 856 880 886 960 961 962 963 964 965 ' +
    '966 967 968 970 971 972 973 974 975 976 977 992 993 994 995 996 998'
  ).split(' '),
);

/** True when `digits` (international form, without `+`) starts with a valid calling code. */
export function hasCallingCode(digits: string): boolean {
  return (
    CALLING_CODES.has(digits.slice(0, 1)) ||
    CALLING_CODES.has(digits.slice(0, 2)) ||
    CALLING_CODES.has(digits.slice(0, 3))
  );
}

// Calling codes by value, one bit per length (1: one digit, 2: two, 4: three).
const CALLING_CODE_BITS = new Uint8Array(1000);
for (const code of CALLING_CODES) CALLING_CODE_BITS[Number(code)]! |= 1 << (code.length - 1);

/** {@link hasCallingCode} over digit values `buf[from..to)` (at least three of them). */
export function callingCodeAt(buf: Uint8Array, from: number, to: number): boolean {
  if (to - from < 3) return false;
  const d1 = buf[from]!;
  const d2 = d1 * 10 + buf[from + 1]!;
  const d3 = d2 * 10 + buf[from + 2]!;
  return (
    (CALLING_CODE_BITS[d1]! & 1) !== 0 ||
    (CALLING_CODE_BITS[d2]! & 2) !== 0 ||
    (CALLING_CODE_BITS[d3]! & 4) !== 0
  );
}
