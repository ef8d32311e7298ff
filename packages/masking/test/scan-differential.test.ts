import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ibanLength, ibanLengthOf, ibanMod97, isNpi, isNpiAt, luhn } from '../src/lib/checks.js';
import type { ScanFlags } from '../src/lib/match.js';
import { scanText, type Scanner } from '../src/lib/scan.js';
import { CorpusBuilder } from './fixtures/corpus.js';
import { scanText as referenceScan } from './fixtures/reference/scan.js';

// The scanners are tuned for speed (a pre-pass that skips scanners, validators over digit
// values instead of strings). The straightforward first version is kept under
// fixtures/reference as an oracle: both must find exactly the same matches.

const ALL: ScanFlags = {
  email: true,
  phone: true,
  ssn: true,
  card: true,
  ip: true,
  iban: true,
  vat: true,
  dob: true,
  passport: true,
  npi: true,
  mrn: true,
  aws: true,
  privateKey: true,
  jwt: true,
  bearer: true,
  apiKey: true,
};

function scanner(flags: ScanFlags): Scanner {
  return {
    flags,
    anyDigitScan: flags.phone || flags.ssn || flags.card || flags.ip,
    anyCodeScan:
      flags.iban || flags.aws || flags.privateKey || flags.jwt || flags.bearer || flags.apiKey,
    anyLabelScan: flags.dob || flags.npi || flags.mrn || flags.passport || flags.ssn,
    custom: [],
  };
}

const FULL = scanner(ALL);
const FLAG_NAMES = Object.keys(ALL) as (keyof ScanFlags)[];

// Pieces that make scanners start, stop, validate and backtrack, mixed with plain text.
const TOKENS = [
  ...'0123456789 -./()+@:_,;\n\tabcdefxyzABCDEFZ'.split(''),
  // Where words end: the units next to a-z and A-Z (` { @ [), DEL, non-ASCII letters, long
  // words, an underscore inside one.
  ...'`{[~\u007fé\u0161'.split(''),
  'necessitatibus',
  'Straße',
  'pay_XIizwHUq7uFaRY',
  '4111 1111 1111 1111',
  '4111111111111111',
  '378282246310005',
  '5555-5555-5555-4444',
  '4111 1111 1111 1112',
  '123-45-6789',
  '078-05-1120',
  '+44 20 7946 0958',
  '(212) 555-0199',
  '0049 30 12345678',
  '06 12 34 56 78',
  '192.168.0.1',
  '256.1.1.1',
  'fe80::1',
  '2001:db8::8a2e:370:7334',
  '10:00:00.000Z',
  '2024-01-02T10:00:00Z',
  '2024-01-02T10:00:00.123Z',
  '2024-01-02T10:00:00.123456789Z',
  '2024-01-02T10:00:00.1234567890Z',
  '2024-01-02T10:00:00.Z',
  '2024-01-02T10:00:00+01:00',
  '4111-1111-11T11:11:11Z',
  '1234-12-12T',
  '70e88781-c5a4-4a9b-8524-dad8bb4412e1',
  'ada@example.com',
  'a.b@c.io',
  'DE89 3704 0044 0532 0130 00',
  'DE89370400440532013000',
  'GB82WEST12345698765432',
  'DE123456789',
  'ATU12345678',
  'FR 12 345678901',
  'AKIAIOSFODNN7EXAMPLE',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----END RSA PRIVATE KEY-----',
  'Bearer ',
  'bearer abcdefghijklmnop1234',
  'sk_live_abcdefghijklmnop1234',
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  'xoxb-123456789012-abcdef',
  'npm_abcdefghijklmnopqrstuvwxyz0123456789',
  'born ',
  'DOB: ',
  'date of birth ',
  'd.o.b ',
  'birthday',
  '3 May 1984',
  'May 3, 1984',
  '05/03/1984',
  'NPI ',
  '1234567893',
  'MRN: ',
  'A-7781',
  'passport no. ',
  'X12345678',
  'SSN ',
  'social security number ',
  '123456789',
  'ORD-2024-0042',
  'v1.2.3.4',
  'é',
  '_',
];

const text = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(''));
const flags = fc
  .subarray(FLAG_NAMES)
  .map(
    (on) => Object.fromEntries(FLAG_NAMES.map((n) => [n, on.includes(n)])) as unknown as ScanFlags,
  );

function corpusStrings(): string[] {
  const builder = new CorpusBuilder(7_531);
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  for (let i = 0; i < 600; i++) {
    const doc = builder.doc(i).value;
    walk(doc);
    out.push(JSON.stringify(doc));
  }
  return out;
}

describe('optimised scanners agree with the reference scanners', () => {
  it('on every string of a labeled corpus (and on each document as JSON text)', () => {
    const strings = corpusStrings();
    let found = 0;
    for (const s of strings) {
      const mine = scanText(s, FULL);
      expect(mine, s).toEqual(referenceScan(s, FULL));
      found += mine?.length ?? 0;
    }
    expect(found).toBeGreaterThan(3000);
  });

  it('on random mixes of look-alikes and separators, with every detector on', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(scanText(s, FULL)).toEqual(referenceScan(s, FULL));
      }),
      { numRuns: 3000 },
    );
  });

  it('on random mixes with random sets of detectors', () => {
    fc.assert(
      fc.property(text, flags, (s, f) => {
        const sc = scanner(f);
        expect(scanText(s, sc)).toEqual(referenceScan(s, sc));
      }),
      { numRuns: 1500 },
    );
  });

  it('on IBANs of every country, valid and altered (check digits, length, spaces, neighbours)', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
    const countries = letters
      .flatMap((a) => letters.map((b) => a + b))
      .filter((c) => ibanLength(c) > 0);
    expect(countries.length).toBeGreaterThan(60);
    const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''));
    const iban = fc
      .tuple(fc.constantFrom(...countries), fc.array(alnum, { minLength: 40, maxLength: 40 }))
      .map(([country, chars]) => {
        const bban = chars.slice(0, ibanLength(country) - 4).join('');
        // Check digits that make mod 97 come out at 1.
        let check = 2;
        while (!ibanMod97(`${country}${String(check).padStart(2, '0')}${bban}`)) check++;
        return `${country}${String(check).padStart(2, '0')}${bban}`;
      });
    const altered = fc
      .tuple(iban, fc.nat(), fc.constantFrom('keep', 'digit', 'drop', 'add', 'spaces', 'glue'))
      .map(([value, at, how]) => {
        const k = at % value.length;
        if (how === 'digit')
          return value.slice(0, k) + String((Number(value[k]) + 1) % 10 || 7) + value.slice(k + 1);
        if (how === 'drop') return value.slice(0, k) + value.slice(k + 1);
        if (how === 'add') return `${value.slice(0, k)}7${value.slice(k)}`;
        if (how === 'spaces') return value.replace(/(.{4})/g, '$1 ').trim();
        if (how === 'glue') return `x${value}9`;
        return value;
      });
    fc.assert(
      fc.property(altered, fc.constantFrom('', 'IBAN ', 'to ', '('), (value, before) => {
        const s = `${before}${value} ok`;
        expect(scanText(s, FULL)).toEqual(referenceScan(s, FULL));
      }),
      { numRuns: 3000 },
    );
    // The valid ones are found, whole.
    for (const value of fc.sample(iban, 300)) {
      const s = `to ${value} ok`;
      expect(scanText(s, FULL), s).toEqual([{ start: 3, end: 3 + value.length, type: 'IBAN' }]);
    }
    // And the country table: the same lengths as the lookup by name, 0 for anything else.
    for (let a = 0; a < 128; a++) {
      for (let b = 0; b < 128; b++) {
        const name = String.fromCharCode(a, b);
        expect(ibanLengthOf(a, b)).toBe(/^[A-Z]{2}$/.test(name) ? ibanLength(name) : 0);
      }
    }
  });

  it('checks NPIs by the CMS rule: 1 or 2 first, Luhn over 80840 and the ten digits', () => {
    expect(isNpiAt('NPI 1234567893.', 4)).toBe(true);
    expect(isNpiAt('NPI 1234567894.', 4)).toBe(false);
    expect(isNpi('123456789')).toBe(false);
    expect(isNpi('12345678a3')).toBe(false);
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), fc.nat(3), (digits, pad) => {
        const expected = (digits[0] === '1' || digits[0] === '2') && luhn(`80840${digits}`);
        expect(isNpiAt(`${'x'.repeat(pad)}${digits}`, pad)).toBe(expected);
        expect(isNpi(digits)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(scanText(s, FULL)).toEqual(referenceScan(s, FULL));
      }),
      { numRuns: 1500 },
    );
  });
});
