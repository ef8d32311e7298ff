import { describe, expect, it } from 'vitest';
import { createMasker, MaskingRejectedError, parseMaskingConfig } from '../src/index.js';

describe('walking values', () => {
  const masker = createMasker();

  it('returns untouched objects, arrays and strings by reference', () => {
    const input = { a: { b: [1, 'plain', { c: 'x' }] }, d: 'mail ada@example.com' };
    const out = masker.mask(input).value;
    expect(out).not.toBe(input);
    expect(out.a).toBe(input.a);
    expect(out.d).toBe('mail [EMAIL]');
    const clean = { x: [{ y: 'nothing here' }] };
    const r = masker.mask(clean);
    expect(r.value).toBe(clean);
    expect(r.findings).toEqual({ total: 0, byCategory: {}, paths: [] });
  });

  it('does not modify the input', () => {
    const input = { email: 'ada@example.com', list: ['123-45-6789'] };
    const copy = structuredClone(input);
    masker.mask(input);
    expect(input).toEqual(copy);
  });

  it('reports counts and JSON paths, never values', () => {
    const { findings } = masker.mask({
      users: [{ email: 'a@example.com' }, { 'odd key': 'call 415-555-0132 or 415-555-0199' }],
    });
    expect(findings.total).toBe(3);
    expect(findings.byCategory).toEqual({ EMAIL: 1, PHONE: 2 });
    expect(findings.paths).toEqual(['$.users[0].email', '$.users[1]["odd key"]']);
    expect(JSON.stringify(findings)).not.toMatch(/example|555/);
  });

  it('masks JSON inside strings, re-serialising only when something changed', () => {
    const clean = '{ "a": 1,   "b": "x" }';
    expect(masker.mask({ body: clean }).value.body).toBe(clean);
    const pretty = JSON.stringify({ user: { email: 'ada@example.com' }, n: 1 }, null, 2);
    const out = masker.mask({ body: pretty }).value.body;
    expect(JSON.parse(out)).toEqual({ user: { email: '[EMAIL]' }, n: 1 });
    expect(out).toContain('\n  "user"');
    expect(masker.mask('{not json ada@example.com}').value).toBe('{not json [EMAIL]}');
  });

  it('handles MCP content blocks: text, embedded resources, structuredContent; leaves binary alone', () => {
    const image = Buffer.from('ada@example.com').toString('base64');
    const result = {
      content: [
        { type: 'text', text: 'Customer: {"email":"ada@example.com"}' },
        { type: 'text', text: JSON.stringify({ card: '4111 1111 1111 1111' }) },
        { type: 'image', data: image, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'mailto:ada@example.com',
            mimeType: 'application/json',
            blob: Buffer.from('{"ssn":"123-45-6789"}').toString('base64'),
          },
        },
        {
          type: 'resource',
          resource: {
            uri: 'file:///n.txt',
            mimeType: 'text/plain',
            text: 'phone +33 6 12 34 56 78',
          },
        },
        { type: 'resource_link', uri: 'file:///report.pdf', name: 'report.pdf' },
      ],
      structuredContent: {
        customer: { name: 'Ada Lovelace', iban: 'DE89 3704 0044 0532 0130 00' },
      },
      isError: false,
    };
    const out = masker.mask(result).value;
    expect(out.content[0]).toEqual({ type: 'text', text: 'Customer: {"email":"[EMAIL]"}' });
    expect(JSON.parse((out.content[1] as { text: string }).text)).toEqual({
      card: '[CREDIT_CARD]',
    });
    expect(out.content[2]).toBe(result.content[2]);
    const res = (out.content[3] as { resource: { uri: string; blob: string } }).resource;
    expect(res.uri).toBe('mailto:[EMAIL]');
    expect(Buffer.from(res.blob, 'base64').toString()).toBe('{"ssn":"[US_SSN]"}');
    expect(out.content[4]).toEqual({
      type: 'resource',
      resource: { uri: 'file:///n.txt', mimeType: 'text/plain', text: 'phone [PHONE]' },
    });
    expect(out.content[5]).toBe(result.content[5]);
    expect(out.structuredContent).toEqual({ customer: { name: '[PERSON]', iban: '[IBAN]' } });
  });

  it('replaces cycles and bounds depth without passing anything through unmasked', () => {
    const a: Record<string, unknown> = { email: 'ada@example.com' };
    a['self'] = a;
    const out = masker.mask(a).value;
    expect(out).toEqual({ email: '[EMAIL]', self: '[CIRCULAR]' });
    let deep: unknown = 'ada@example.com';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const shallow = createMasker({ maxDepth: 10 }).mask(deep);
    expect(JSON.stringify(shallow.value)).not.toContain('ada@');
    expect(shallow.findings.byCategory).toEqual({ MAX_DEPTH: 1 });
  });

  it('masks oversized strings whole, or rejects them', () => {
    const big = 'x'.repeat(2000) + ' ada@example.com';
    const small = createMasker({ maxStringLength: 1000 });
    expect(small.mask({ big }).value).toEqual({ big: '[OVERSIZED]' });
    const strict = createMasker({ maxStringLength: 1000, oversized: 'reject' });
    expect(() => strict.mask({ big })).toThrow(MaskingRejectedError);
    try {
      strict.mask({ deep: { big } });
    } catch (error) {
      expect(error).toMatchObject({
        code: 'internal_error',
        reason: 'value_too_large',
        path: '$.deep.big',
      });
      expect((error as Error).message).not.toContain('ada');
    }
  });

  it('masks card numbers held as JSON numbers', () => {
    expect(masker.mask({ n: 4111111111111111, qty: 3, id: 123456789012 }).value).toEqual({
      n: '[CREDIT_CARD]',
      qty: 3,
      id: 123456789012,
    });
  });
});

describe('secrets', () => {
  it('finds API keys and bearer tokens even in strings without a digit', () => {
    const masker = createMasker({ categories: ['SECRETS'] });
    const stripe = 'sk_live_' + 'abcdefghijklmnopqrstuvwxyzABCD';
    const github = 'ghp_' + 'a'.repeat(36);
    const bearer = 'Authorization: Bearer ' + 'abcdefghijklmnopqrstuvwx';
    const { value, findings } = masker.mask({ note: `key ${stripe}`, gh: github, header: bearer });
    expect(JSON.stringify(value)).not.toContain(stripe);
    expect(JSON.stringify(value)).not.toContain(github);
    expect(JSON.stringify(value)).not.toContain('abcdefghijklmnopqrstuvwx');
    expect(findings.byCategory).toMatchObject({ API_KEY: 2, BEARER_TOKEN: 1 });
  });
});

describe('field rules and custom detectors', () => {
  it('masks by JSON path and by key pattern, whole subtrees included', () => {
    const m = createMasker({
      fieldRules: [
        { type: 'NOTE', path: '$.tickets[*].internal' },
        { type: 'EMPLOYEE', key: ['employee_ref', /^x-staff-/i] },
        { type: 'SECRET_ANSWER', path: '$..answer', strategy: 'remove' },
      ],
    });
    const out = m.mask({
      tickets: [{ internal: { text: 'a', n: 2 }, public: 'ok' }],
      employeeRef: 'E-1',
      'X-Staff-Id': 'S9',
      deep: { q: { answer: 'blue' } },
    });
    expect(out.value).toEqual({
      tickets: [{ internal: { text: '[NOTE]', n: '[NOTE]' }, public: 'ok' }],
      employeeRef: '[EMPLOYEE]',
      'X-Staff-Id': '[EMPLOYEE]',
      deep: { q: {} },
    });
  });

  it('documents its limits: names in free text are not detected, names under name keys are', () => {
    const m = createMasker();
    expect(m.mask({ note: 'Ada Lovelace called' }).value).toEqual({ note: 'Ada Lovelace called' });
    expect(
      m.mask({ customer: { firstName: 'Ada', address: { street: '1 Main St', city: 'X' } } }).value,
    ).toEqual({
      customer: { firstName: '[PERSON]', address: { street: '[ADDRESS]', city: '[ADDRESS]' } },
    });
    expect(createMasker({ builtinKeyRules: false }).mask({ name: 'Ada' }).value).toEqual({
      name: 'Ada',
    });
  });

  it('runs custom detectors with validators, and refuses catastrophic patterns', () => {
    const m = createMasker({
      detectors: [
        { type: 'EMPLOYEE_ID', pattern: /\bEMP-\d{6}\b/ },
        { type: 'LUHN_REF', pattern: 'REF\\d{8}', validator: (s) => s.endsWith('0') },
      ],
    });
    expect(m.mask('EMP-123456 REF12345670 REF12345671').value).toBe(
      '[EMPLOYEE_ID] [LUHN_REF] REF12345671',
    );
    expect(() => createMasker({ detectors: [{ type: 'BAD', pattern: /(a+)+$/ }] })).toThrow(
      /nested quantifiers/,
    );
    expect(() => createMasker({ detectors: [{ type: 'BAD', pattern: '(?:\\w*x)*' }] })).toThrow(
      /nested quantifiers/,
    );
    expect(() => createMasker({ detectors: [{ type: 'bad', pattern: 'x' }] })).toThrow(
      /detectors\[0\]\.type/,
    );
    expect(() =>
      createMasker({ detectors: [{ type: 'X', pattern: 'x', validator: 'nope' as 'luhn' }] }),
    ).toThrow(/validator/);
  });

  it('profiles select categories; unknown profiles select the strictest', () => {
    const warnings: string[] = [];
    const m = createMasker({ logger: { warn: (msg) => void warnings.push(msg), error: () => {} } });
    const input = { text: 'ssn 123-45-6789, card 4111111111111111' };
    expect(m.mask(input, { profiles: ['PCI'] }).value).toEqual({
      text: 'ssn 123-45-6789, card [CREDIT_CARD]',
    });
    expect(m.mask(input, { profiles: ['nope'] }).value).toEqual({
      text: 'ssn [US_SSN], card [CREDIT_CARD]',
    });
    expect(warnings).toEqual(['unknown masking profile: applying the strictest profile']);
  });

  it('reads the config file form', () => {
    const options = parseMaskingConfig({
      categories: ['PII', 'PCI'],
      strategies: { CREDIT_CARD: { type: 'partial', keepLast: 4 } },
      fieldRules: [{ type: 'INTERNAL', key: '/^internal_/' }],
      detectors: [{ type: 'TICKET', pattern: '\\bTCK-\\d{6}\\b', categories: ['PII'] }],
      profiles: { GDPR: { categories: ['GDPR'] } },
    });
    const m = createMasker(options);
    expect(m.mask({ internal_note: 'x', t: 'TCK-123456 4111 1111 1111 1111' }).value).toEqual({
      internal_note: '[INTERNAL]',
      t: '[TICKET] **** **** **** 1111',
    });
    expect(() => parseMaskingConfig({ masterKey: 'x' })).toThrow(/masking.masterKey/);
    expect(() => parseMaskingConfig({ strategies: { EMAIL: 'nope' } })).toThrow(
      /masking.strategies.EMAIL/,
    );
    expect(() => parseMaskingConfig({ colour: 'red' })).toThrow(/masking.colour/);
    expect(() => parseMaskingConfig([])).toThrow(/masking/);
  });
});
