import { isNpi, isUsSsn } from './checks.js';
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

function read(re: RegExp, s: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(s);
  return m === null ? undefined : m[0];
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
  LABEL_AT.lastIndex = p;
  const m = LABEL_AT.exec(s);
  if (m === null) return -1;
  const labelEnd = p + m[0].length;
  const label = m[1]!.toLowerCase();
  FILLER.lastIndex = labelEnd;
  FILLER.exec(s);
  const at = FILLER.lastIndex;
  const c = label.charCodeAt(0);
  let type: string | undefined;
  let value: string | undefined;
  if (c === 98 || c === 100) {
    // born, birth…, dob, d.o.b, date of birth
    if (flags.dob) {
      value = read(DATE, s, at);
      type = 'DATE_OF_BIRTH';
    }
  } else if (c === 110) {
    if (flags.npi) {
      value = read(NPI, s, at);
      if (value !== undefined && !isNpi(value)) value = undefined;
      type = 'NPI';
    }
  } else if (c === 109) {
    if (flags.mrn) {
      value = read(MRN, s, at);
      if (value !== undefined && !/\d/.test(value)) value = undefined;
      type = 'MRN';
    }
  } else if (c === 112) {
    if (flags.passport) {
      value = read(PASSPORT, s, at);
      type = 'US_PASSPORT';
    }
  } else if (flags.ssn) {
    value = read(SSN, s, at);
    if (value !== undefined && !isUsSsn(value.replace(/[- ]/g, ''))) value = undefined;
    type = 'US_SSN';
  }
  if (value === undefined || type === undefined) return labelEnd;
  const end = at + value.length;
  // (Only the label and its value are read: searching back from the value for a quote would
  // read back to the string's opening quote for every label, quadratic in a long string.)
  if (quoted) for (let k = p; k < end; k++) if (s.charCodeAt(k) === 34) return labelEnd;
  out.push({ start: at, end, type });
  return end;
}
