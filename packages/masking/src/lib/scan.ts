import { scanCodes, scanIpv6, scanVat } from './codes.js';
import { scanLabelled } from './context.js';
import { scanDigits } from './digits.js';
import { scanEmails } from './email.js';
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

const DIGIT = /\d/;

function byStart(a: Match, b: Match): number {
  return a.start - b.start || b.end - a.end;
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

/**
 * Finds every sensitive value in `s`: sorted, non-overlapping matches (the earliest, then the
 * longest, wins), or `undefined` when there is none. Cheap pre-checks skip whole scanner
 * families: no digit means no card, phone, SSN, IPv4, IBAN or labelled value; no '@' means no
 * e-mail address.
 */
export function scanText(s: string, scanner: Scanner): Match[] | undefined {
  const out: Match[] = [];
  const flags = scanner.flags;
  const firstDigit =
    scanner.anyDigitScan || scanner.anyCodeScan || scanner.anyLabelScan ? s.search(DIGIT) : -1;
  if (flags.email) {
    const at = s.indexOf('@');
    if (at !== -1) scanEmails(s, at, out);
  }
  if (firstDigit !== -1) {
    if (scanner.anyDigitScan) scanDigits(s, firstDigit, flags, out);
    if (scanner.anyLabelScan) scanLabelled(s, flags, out);
    if (flags.vat) scanVat(s, out);
  }
  if (
    scanner.anyCodeScan &&
    s.length >= 12 &&
    (firstDigit !== -1 || s.includes('-----BEGIN') || s.includes('earer') || s.includes('EARER'))
  ) {
    scanCodes(s, flags, out);
  }
  if (flags.ip && s.includes(':')) scanIpv6(s, out);
  for (const detector of scanner.custom) scanCustom(s, detector, out);
  if (out.length === 0) return undefined;
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
