import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMasker, type ContentMasker } from '../src/index.js';
import { hasDuplicateKeys } from '../src/lib/duplicate-keys.js';
import { CorpusBuilder } from './fixtures/corpus.js';
import { KEY_A } from './helpers.js';

// A string that holds compact JSON is masked in place, in one pass over its text. The result
// must be what parsing, masking the parsed value and re-serialising gives: same output bytes,
// same findings, same paths. These tests compare the two on the corpus and on random JSON.

const maskers: Record<string, ContentMasker> = {
  defaults: createMasker(),
  mixed: createMasker({
    masterKey: KEY_A,
    strategies: {
      EMAIL: 'hash',
      CREDIT_CARD: { type: 'partial', keepLast: 4 },
      PHONE: 'remove',
      IP_ADDRESS: 'remove',
    },
    fieldRules: [
      { type: 'NOTE', key: 'memo', strategy: 'remove' },
      { type: 'TAG', path: '$..tags[0]' },
      { type: 'REF', path: '$.structuredContent.records[*].payout' },
    ],
  }),
};

/** What the general path gives for the JSON text `text`. */
function viaParse(masker: ContentMasker, text: string): { value: unknown; findings: unknown } {
  const parsed: unknown = JSON.parse(text);
  const { value, findings } = masker.mask(parsed);
  // Unchanged: the text itself, unless a repeated key hid values that parsing dropped.
  const unchanged = value === parsed && !hasDuplicateKeys(text);
  return { value: unchanged ? text : JSON.stringify(value), findings };
}

function same(masker: ContentMasker, text: string): void {
  const direct = masker.mask(text);
  const general = viaParse(masker, text);
  expect(direct.value).toBe(general.value);
  expect(direct.findings).toEqual(general.findings);
}

const builder = new CorpusBuilder(99_001);
const docs = Array.from({ length: 300 }, (_, i) => builder.doc(i).value);

describe('JSON text masked in place', () => {
  it.each(Object.keys(maskers))('gives the general path result on the corpus (%s)', (name) => {
    const masker = maskers[name]!;
    for (const doc of docs) same(masker, JSON.stringify(doc));
    const response = {
      content: [
        { type: 'text', text: JSON.stringify(docs[0]) },
        { type: 'resource_link', uri: 'file:///a', name: 'Ada Lovelace', mimeType: 'text/plain' },
      ],
      structuredContent: { records: docs.slice(0, 50) },
    };
    same(masker, JSON.stringify(response));
    const found = masker.mask(JSON.stringify(response)).findings;
    expect(found.total).toBeGreaterThan(100);
  });

  it('gives the general path result on random JSON with sensitive values', () => {
    const pii = fc.constantFrom(
      'ada@example.com',
      'card 4111 1111 1111 1111 ok',
      '+44 20 7946 0958',
      'DE89 3704 0044 0532 0130 00',
      'born 3 May 1984',
      'fe80::1',
      '123-45-6789',
      'line\nbreak "quoted" ada@example.com',
      '{"email":"ada@example.com"}',
      '  [1, "4111111111111111"]',
      'é ✓ 😀 10.0.0.1',
      '',
    );
    const key = fc.constantFrom(
      'name',
      'email',
      'memo',
      'tags',
      'type',
      'text',
      'notes',
      'a b',
      'x"y',
      'k',
      'payout',
    );
    const leaf = fc.oneof(
      pii,
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(14155550100, 4111111111111111, -0, 1e21, true, false, null),
    );
    const tree = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('value'), { maxLength: 5 }),
        fc.dictionary(key, tie('value'), { maxKeys: 5 }),
        fc.record({ type: fc.constantFrom('text', 'image', 'other'), text: pii }),
      ),
    })).value;
    const root = fc.oneof(
      fc.array(tree, { maxLength: 6 }),
      fc.dictionary(key, tree, { maxKeys: 6 }),
    );
    fc.assert(
      fc.property(root, fc.constantFrom(...Object.keys(maskers)), (value, name) => {
        same(maskers[name]!, JSON.stringify(value));
      }),
      { numRuns: 1500 },
    );
  });

  it('replaces matches in strings with escapes where they are, as the general path does', () => {
    const values = [
      'a\tada@example.com\n',
      '"4111 1111 1111 1111"',
      'x\\y +44 20 7946 0958 \u0001 ada@example.com\u0002',
      'ada@example.com\n',
      '\nada@example.com',
      '\u2028 fe80::1 \u2029 123-45-6789 \ud800',
      '😀 ada@example.com 😀\n',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
      '\n  {"email":"ada@example.com"}',
      'tab\tonly',
    ];
    for (const masker of Object.values(maskers)) {
      for (const value of values) {
        same(masker, JSON.stringify({ note: value, memo: value, list: [value, 1] }));
        same(masker, JSON.stringify([value]));
      }
    }
  });

  it('masks MCP text blocks in the pass as the general path does', () => {
    const texts = [
      'results',
      'ada@example.com',
      '+44 20 7946 0958',
      'call +44 20 7946 0958 or ada@example.com',
      'line\nbreak ada@example.com',
      '{"email":"ada@example.com"}',
      '',
    ];
    for (const masker of Object.values(maskers)) {
      for (const text of texts) {
        same(masker, JSON.stringify({ content: [{ type: 'text', text }], memo: text }));
        same(masker, JSON.stringify([{ type: 'text', text, annotations: { a: 1 } }]));
        same(
          masker,
          JSON.stringify([
            { text, type: 'text' },
            { type: 'text', text: 1 },
          ]),
        );
      }
    }
  });

  it('reads keys the same after objects that list them in one order', () => {
    // The pass guesses each key from the one that followed the key before it last time.
    const masker = createMasker();
    const row = { note: 'x', memo: 'y', email: 'ada@example.com', name: 'Ada' };
    const texts = [
      JSON.stringify(Array.from({ length: 5 }, () => row)),
      '[{"note":"x","memo":"y"},{"note":"ada@example.com","note":"4111 1111 1111 1111"}]',
      '[{"note":"x","memo":"y","email":"a@b.co","email":"4111 1111 1111 1111"}]',
      '[{"note":"x","memox":"ada@example.com"},{"note":"x","mem":"4111 1111 1111 1111"}]',
      '[{"note":"x","memo\\":"ada@example.com","name":"Ada"}]',
      '[{"note":"x","me\\u006do":"ada@example.com","memo":"4111 1111 1111 1111"}]',
      '[{"note":"x","email":"ada@example.com","name":"Ada","nam":"Ada"}]',
    ];
    for (const text of texts) {
      for (let round = 0; round < 3; round++) {
        let expected: { value: unknown; findings: unknown };
        try {
          expected = viaParse(masker, text);
        } catch {
          continue;
        }
        const direct = masker.mask(text);
        expect(direct.value).toBe(expected.value);
        expect(direct.findings).toEqual(expected.findings);
      }
    }
  });

  it('hands text JSON.stringify would not write to the general path', () => {
    const masker = maskers['defaults']!;
    const texts = [
      '{"a": "ada@example.com"}',
      '{\n  "email": "ada@example.com"\n}',
      '{"a":"ada@example.com","a":"x"}',
      '{"b":"ada@example.com","1":"x"}',
      '{"a":1.50,"b":"ada@example.com"}',
      '{"a":"\\u0061da@example.com"}',
      '{"a":"ada@example.com","__proto__":{"b":1}}',
      '{"a":"\ud800 ada@example.com"}',
      '{"a":"ada@example.com"} ',
      '{"a":"ada@example.com"}{}',
      '{"a":"ada@example.com",}',
      '{"a":01}',
      // Numbers: only what JSON.stringify writes stays in the pass.
      '{"a":1e5,"b":"ada@example.com"}',
      '{"a":-0,"b":"ada@example.com"}',
      '{"a":1.,"b":"ada@example.com"}',
      '{"a":+1,"b":"ada@example.com"}',
      '{"a":0.10,"b":"ada@example.com"}',
      '{"a":1e+21,"b":"ada@example.com"}',
      '{"a":1E21,"b":"ada@example.com"}',
      '{"a":-1e-7,"b":"ada@example.com"}',
      '{"a":1-2,"b":"ada@example.com"}',
      '{"a":4111111111111111,"b":[-12,3.25,true,false,null,tru]}',
      '{"a":[true,false,null],"b":"ada@example.com"}',
      // Raw control characters and lone surrogates wherever the pass reads without scanning:
      // keys, values under key rules, containers under key rules, JSON inside strings.
      '{"a\u0001":"ada@example.com"}',
      '{"name":"A\u0002da","email":"ada@example.com"}',
      '{"address":{"street":"\u0003x"},"email":"ada@example.com"}',
      '{"a":"[\u0004]","email":"ada@example.com"}',
      '{"a":"ada@example.com \u0005"}',
      '{"\ud800":"ada@example.com"}',
      '{"name":"\udc00","email":"ada@example.com"}',
      '{"address":{"street":"\ud801"},"email":"ada@example.com"}',
      '{"a":"ada@example.com \ud800"}',
      '{"a":"\udc00ada@example.com"}',
      '{"a":"ada@example.com\ud800\ud800\udc00"}',
      '{"a":"\ud83d\ude00 ada@example.com","b":"\ud83d\ude00"}',
      // Values under key rules: a surrogate pair, empty, escaped, all but the end of the text.
      '{"name":"\ud83d\ude00 Ada","email":"ada@example.com"}',
      '{"name":"","street":"x\\"y","city":"a\\\\"}',
      '{"email":"ada@example.com","name":"Ada',
      // Keys are read up to their quote while they are hashed: escapes, raw controls, lone
      // surrogates, a key that never ends.
      '{"a\\nb":"ada@example.com"}',
      '{"a\\"b":"ada@example.com","email":"ada@example.com"}',
      '{"em\\u0061il":"ada@example.com"}',
      '{"email\u0000":"ada@example.com"}',
      '{"\ud83d\ude00":"ada@example.com"}',
      '{"email":"ada@example.com","nam',
      '{"email":"ada@example.com","name\\',
      // Duplicates wherever the check of the keys' bits must let them through to the compare:
      // after a nested object with the same key, after 15 others, spelled with an escape.
      '{"a":{"a":"x"},"a":"ada@example.com"}',
      `{${Array.from({ length: 15 }, (_, i) => `"k${i}":${i}`).join(',')},"k3":"ada@example.com"}`,
      '{"em\\u0061il":"x","email":"ada@example.com"}',
      // Strings scanned while their end is sought: an escape after a match, at the start, right
      // before the quote; a string that never ends after a match; timestamps and UUIDs whole and
      // with more after them.
      '{"a":"ada@example.com \\" 4111 1111 1111 1111"}',
      '{"a":"\\tada@example.com","b":"4111 1111 1111 1111\\\\"}',
      '{"a":"x","b":"ada@example.com',
      '{"t":"2025-12-27T07:53:38.504Z","u":"70e88781-c5a4-4a9b-8524-dad8bb4412e1","b":"ada@example.com"}',
      '{"t":"2025-12-27T07:53:38.504Z 4111 1111 1111 1111","u":"70e88781-c5a4-4a9b-8524-dad8bb4412e1 ada@example.com"}',
    ];
    for (const text of texts) {
      let expected: unknown;
      try {
        expected = viaParse(masker, text);
      } catch {
        // Not JSON at all: masked as plain text.
        expected = masker.mask({ t: text }).value.t;
        expect(masker.mask(text).value).toBe(expected);
        continue;
      }
      const direct = masker.mask(text);
      const general = expected as { value: unknown; findings: unknown };
      if (text.includes('\n')) {
        expect(direct.value).toBe(JSON.stringify(JSON.parse(String(general.value)), null, 2));
      } else {
        expect(direct.value).toBe(general.value);
      }
      expect(direct.findings).toEqual(general.findings);
    }
  });

  it('masks containers under field rules in place as the general path does', () => {
    const address = {
      street: 'Grupo Conchita 37',
      lines: ['Flat 2', '', null, true, 42, 1.5, { floor: 3, note: 'back "door"\n' }],
      zip: 28001,
      empty: {},
      none: [],
      geo: { lat: 40.4168, lon: -3.7038, ok: false },
    };
    const texts = [
      JSON.stringify({ address, email: 'ada@example.com' }),
      JSON.stringify({ records: [{ address }, { billingAddress: address, memo: 'x' }] }),
      JSON.stringify({ address: { '1': 'a', b: 'c' } }),
      JSON.stringify({ address: [[[[[[[['deep']]]]]]]] }),
    ];
    for (const masker of Object.values(maskers)) for (const text of texts) same(masker, text);
    const partial = createMasker({
      masterKey: KEY_A,
      strategies: { ADDRESS: { type: 'partial', keepLast: 2 } },
    });
    const hashed = createMasker({ masterKey: KEY_A, strategies: { ADDRESS: 'hash' } });
    for (const masker of [partial, hashed]) for (const text of texts) same(masker, text);
    // Depth and size limits inside such a container: a leading space sends the text through
    // JSON.parse (the general path) at the same depth.
    const viaSpace = (masker: ContentMasker, text: string): void => {
      const general = masker.mask(` ${text}`);
      const direct = masker.mask(text);
      expect(direct.value).toBe(general.value === ` ${text}` ? text : general.value);
      expect(direct.findings).toEqual(general.findings);
    };
    const limited = [createMasker({ maxDepth: 4 }), createMasker({ maxStringLength: 12 })];
    for (const masker of limited) for (const text of texts) viaSpace(masker, text);
  });

  it('finds in date-times what the general path finds', () => {
    const masker = maskers['defaults']!;
    const times = [
      '2024-01-02T10:20:30Z',
      '2024-01-02T10:20:30.1Z',
      '2024-01-02T10:20:00.123Z',
      '2024-01-02T10:20:00.123456789Z',
      '2024-01-02T10:20:00.123456789-05:00',
      '2024-01-02T10:20:00.123456+05:00',
      '2024-01-02T10:20:00-05:00',
      '2024-01-02T10:20:00.Z',
      '2024-01-02T10:20:00.12a4Z',
      '2024-01-02 10:20:00Z',
      '4111-1111-11T11:11:11.1111111Z',
      '2024-01-02T10:20:30Z 4111 1111 1111 1111',
      'born 2024-01-02T10:20:30Z',
    ];
    for (const t of times) {
      same(masker, JSON.stringify({ at: t, list: [t], note: `seen ${t}` }));
      // The general path scans the string whole, without the date-time shortcut.
      expect(masker.mask(JSON.stringify({ at: t })).findings).toEqual(
        masker.mask({ at: t }).findings,
      );
    }
  });

  it('finds in UUID-shaped strings what the general path finds', () => {
    const masker = maskers['defaults']!;
    const fixed = [
      '70e88781-c5a4-4a9b-8524-dad8bb4412e1',
      '12345678-1234-1234-1234-123456789012',
      '41111111-1111-1111-1111-111111111111',
      'bea12345-bea1-bea1-bea1-bea123456789',
      'be012345-6789-0000-0000-000000000000',
      '70E88781-C5A4-4A9B-8524-BE0123456789',
      '70e88781-c5a4-4a9b-8524-BE0123456789',
      '4111-1111-1111-1111-111111111111aaaa',
      '70e88781-c5a4-4a9b-8524-dad8bb4412e',
      '70e88781-c5a4-4a9b-8524-dad8bb4412e1x',
    ];
    for (const u of fixed) same(masker, JSON.stringify({ id: u, list: [u], note: `id ${u}` }));
    // Random UUID shapes over digits, lower and upper hex and a few other letters, some with
    // a card number, a VAT number or a phone number in a group.
    const unit = fc.constantFrom(...'0123456789abcdef0123456789ABCDEFxyBE'.split(''));
    const group = (n: number) =>
      fc.array(unit, { minLength: n, maxLength: n }).map((a) => a.join(''));
    const uuid = fc
      .tuple(group(8), group(4), group(4), group(4), group(12))
      .map((g) => g.join('-'));
    const planted = fc.constantFrom(
      '4111111111111111-1234-1234-1234-123456789012',
      '12345678-1234-1234-1234-4111111111111111',
      '12345678-1234-1234-1234-BE0123456789',
      '12345678-1234-1234-1234-212555019912',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(uuid, uuid, planted), { maxLength: 8 }), (ids) => {
        same(masker, JSON.stringify({ ids, text: ids.join(' ') }));
      }),
      { numRuns: 500 },
    );
  });

  it('reads numbers as the general path does (plain ones without making them)', () => {
    const masker = maskers['defaults']!;
    const numbers = [
      '0',
      '-0',
      '00',
      '05',
      '-05',
      '7',
      '-7',
      '1234567890',
      '12345678901',
      '99999999999',
      '100000000000',
      '4111111111111111',
      '-4111111111111111',
      '2125550199',
      '12125550199',
      '0.5',
      '-0.5',
      '0.50',
      '1.0',
      '1.',
      '.5',
      '-.5',
      '2642.51',
      '0.778',
      '123456789012345',
      '1234567890.12345',
      '1234567890.123456',
      '0.000001',
      '0.0000015',
      '0.0000001',
      '1e5',
      '1E5',
      '1e-7',
      '1.5e3',
      '-1.5E+3',
      '1.5.3',
      '--1',
      '1-2',
      '0x10',
      '9007199254740993',
      '0.1000000000000001',
      '0.30000000000000004',
      '123456789012345.6',
    ];
    for (const n of numbers) {
      for (const text of [`{"n":${n}}`, `[${n}]`, `{"a":[${n},1],"b":${n}}`]) {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        if (valid) same(masker, text);
        else expect(masker.mask(text).value, text).toBe(text);
      }
    }
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double(), fc.integer(), fc.nat()), { maxLength: 20 }),
        (a) => {
          same(masker, JSON.stringify({ a, b: a.map(String) }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('drops removed members and elements with their commas', () => {
    const masker = maskers['mixed']!;
    const text = JSON.stringify({
      memo: 'x',
      a: ['+44 20 7946 0958', 1, '10.0.0.1', '+44 20 7946 0958'],
      b: { phone: '+44 20 7946 0958' },
      c: 'ok',
      memo2: { memo: [1, 2] },
    });
    const out = masker.mask(text).value;
    expect(out).toBe('{"a":[1],"b":{},"c":"ok","memo2":{}}');
  });

  it('treats a type named like an Object.prototype member as data', () => {
    const masker = maskers['defaults']!;
    const value = { type: 'constructor', text: 'ada@example.com' };
    expect(masker.mask(value).value).toEqual({ type: 'constructor', text: '[EMAIL]' });
    expect(masker.mask(JSON.stringify(value)).value).toBe(
      '{"type":"constructor","text":"[EMAIL]"}',
    );
  });

  it('keeps the limits: depth, string size, JSON strings option, custom detectors', () => {
    // A leading space sends the text through JSON.parse (the general path), at the same depth.
    const same = (masker: ContentMasker, text: string): void => {
      const general = masker.mask(` ${text}`);
      const direct = masker.mask(text);
      expect(direct.value).toBe(general.value === ` ${text}` ? text : general.value);
      expect(direct.findings).toEqual(general.findings);
    };
    const deep = JSON.stringify({
      a: { b: { c: { d: 'ada@example.com' } } },
      e: 'ada@example.com',
    });
    same(createMasker({ maxDepth: 3 }), deep);
    expect(createMasker({ maxDepth: 4 }).mask(deep).findings.byCategory).toEqual({
      MAX_DEPTH: 1,
      EMAIL: 1,
    });
    const big = JSON.stringify({ a: 'x'.repeat(200), b: 'ada@example.com' });
    same(createMasker({ maxStringLength: 300 }), big);
    expect(() => createMasker({ maxStringLength: 100, oversized: 'reject' }).mask(big)).toThrow();
    const inner = JSON.stringify({ s: JSON.stringify({ email: 'ada@example.com' }) });
    const flat = createMasker({ parseJsonStrings: false });
    expect(flat.mask(inner).value).toBe(flat.mask({ t: inner }).value.t);
    const custom = createMasker({ detectors: [{ type: 'TICKET', pattern: '\\bTCK-\\d{6}\\b' }] });
    same(custom, JSON.stringify({ t: 'see TCK-123456 and ada@example.com' }));
    expect(custom.mask(JSON.stringify({ t: 'TCK-123456' })).value).toBe('{"t":"[TICKET]"}');
  });
});
