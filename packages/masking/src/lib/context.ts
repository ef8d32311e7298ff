import { isAlnum, isDigit } from './ascii.js';
import { isNpiAt, isUsSsn } from './checks.js';
import type { Match, ScanFlags } from './match.js';

// Values that only mean something next to a label ("born 3 May 1984", "NPI 1234567893",
// "MRN: A-7781", "passport no. 123456789", "SSN 123456789"). One case-insensitive pass finds
// the labels; a sticky, bounded pattern then reads the value right after each one.
const LABELS =
  /\b(born|dob|d\.o\.b|date of birth|birth ?date|birthday|npi|mrn|medical record (?:number|no)|passport(?: (?:number|no))?|ssn|social security (?:number|no))(?![A-Za-z])/gi;

const FILLER =
  /[^\dA-Za-z\n]{0,4}(?:(?:is|was|on|in|no|nr|number|num|of|id)\b[^\dA-Za-z\n]{1,4}){0,2}/y;

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\\.?';
const DATE = new RegExp(
  [
    '(?:\\d{4}-\\d{1,2}-\\d{1,2}',
    '|\\d{1,2}[/.\\-]\\d{1,2}[/.\\-](?:\\d{4}|\\d{2})',
    `|\\d{1,2}(?:st|nd|rd|th)?\\.? ${MONTH},? \\d{4}`,
    `|${MONTH} \\d{1,2}(?:st|nd|rd|th)?,? \\d{4})(?![\\dA-Za-z])`,
  ].join(''),
  'iy',
);
const NPI = /\d{10}(?![\dA-Za-z])/y;
const MRN = /[A-Z0-9][A-Z0-9-]{3,19}(?![A-Za-z0-9])/iy;
const PASSPORT = /(?:[A-Z]\d{8}|\d{9})(?![A-Za-z0-9])/y;
const SSN = /(?:\d{9}|\d{3}[- ]\d{2}[- ]\d{4})(?![\dA-Za-z])/y;

/** End of the match of the sticky `re` at `at` in `s`, or -1 (no match array is made). */
function endAt(re: RegExp, s: string, at: number): number {
  re.lastIndex = at;
  return re.test(s) ? re.lastIndex : -1;
}

// The same labels, matched at one position (the scanner finds where a label may start).
const LABEL_AT = new RegExp(LABELS.source, 'iy');

/**
 * Reads the label that starts at `p`, if any, and the labelled date of birth, NPI, MRN,
 * passport number or unformatted SSN after it, appending the value to `out`. Returns -1 when
 * no label starts at `p`, else where the label search goes on. With `quoted` (a whole JSON
 * text is scanned), a label and its value must not be separated by a `"`: each string of the
 * text then gives what it gives on its own.
 */
export function labelAt(
  s: string,
  p: number,
  flags: ScanFlags,
  out: Match[],
  quoted: boolean,
): number {
  const labelEnd = endAt(LABEL_AT, s, p);
  if (labelEnd === -1) return -1;
  // FILLER matches (perhaps nothing) wherever it starts. Before a digit, or one character of
  // its first class before a digit, it matches just that (its words start with a letter).
  const next = s.charCodeAt(labelEnd);
  const at = isDigit(next)
    ? labelEnd
    : isDigit(s.charCodeAt(labelEnd + 1)) && !isAlnum(next) && next !== 10
      ? labelEnd + 1
      : endAt(FILLER, s, labelEnd);
  // The label's first letter, lower-cased (labels are ASCII letters and start at `p`).
  const c = s.charCodeAt(p) | 32;
  let type: string | undefined;
  let end = -1;
  if (c === 98 || c === 100) {
    // born, birth…, dob, d.o.b, date of birth
    if (flags.dob) {
      end = endAt(DATE, s, at);
      type = 'DATE_OF_BIRTH';
    }
  } else if (c === 110) {
    if (flags.npi) {
      end = endAt(NPI, s, at);
      if (end !== -1 && !isNpiAt(s, at)) end = -1;
      type = 'NPI';
    }
  } else if (c === 109) {
    if (flags.mrn) {
      end = endAt(MRN, s, at);
      if (end !== -1 && !/\d/.test(s.slice(at, end))) end = -1;
      type = 'MRN';
    }
  } else if (c === 112) {
    if (flags.passport) {
      end = endAt(PASSPORT, s, at);
      type = 'US_PASSPORT';
    }
  } else if (flags.ssn) {
    end = endAt(SSN, s, at);
    if (end !== -1 && !isUsSsn(s.slice(at, end).replace(/[- ]/g, ''))) end = -1;
    type = 'US_SSN';
  }
  if (end === -1 || type === undefined) return labelEnd;
  // (Only the label and its value are read: searching back from the value for a quote would
  // read back to the string's opening quote for every label, quadratic in a long string.)
  if (quoted) for (let k = p; k < end; k++) if (s.charCodeAt(k) === 34) return labelEnd;
  out.push({ start: at, end, type });
  return end;
}
