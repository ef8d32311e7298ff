import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMasker } from '../src/index.js';
import { KEY_A, principal } from './helpers.js';

describe('strategies', () => {
  it('redact replaces with the type label (or a custom label)', () => {
    const m = createMasker({ strategies: { US_SSN: { type: 'redact', label: '***' } } });
    expect(m.mask('mail ada@example.com, ssn 123-45-6789').value).toBe('mail [EMAIL], ssn ***');
  });

  it('partial keeps the last 4 (or a configured part) and never shows a short value whole', () => {
    const m = createMasker({
      strategies: {
        CREDIT_CARD: { type: 'partial' },
        EMAIL: { type: 'partial', keepDomain: true },
        PHONE: { type: 'partial', keepFirst: 3, keepLast: 2, maskChar: '#' },
        US_SSN: { type: 'partial', keepLast: 64 },
      },
    });
    expect(m.mask('4111 1111 1111 1111').value).toBe('**** **** **** 1111');
    expect(m.mask({ email: 'ada.l@example.com' }).value).toEqual({ email: 'a**.*@example.com' });
    expect(m.mask('call +44 20 7946 0958').value).toBe('call +44 2# #### ##58');
    expect(m.mask('ssn 123-45-6789').value).toBe('ssn ***-**-6789');
  });

  it('hash gives a consistent pseudonym within a tenant, a different one across tenants', () => {
    const m = createMasker({ masterKey: KEY_A, defaultStrategy: 'hash' });
    const a1 = m.mask({ email: 'Ada@Example.com' }, { principal: principal('acme') }).value.email;
    const a2 = m.mask('write to ada@example.com', { principal: principal('acme') }).value;
    const b1 = m.mask({ email: 'ada@example.com' }, { principal: principal('globex') }).value.email;
    expect(a1).toMatch(/^\[EMAIL:[A-Za-z0-9_-]{12}\]$/);
    expect(a2).toBe(`write to ${a1}`);
    expect(b1).not.toBe(a1);
  });

  it('hash cannot be reversed by a dictionary attack without the key', () => {
    const m = createMasker({ masterKey: KEY_A, defaultStrategy: 'hash' });
    const pseudonym = m.mask({ ssn: '123-45-6789' }, { tenantId: 't' }).value.ssn.slice(8, 20);
    // What an attacker without the key can compute from a dictionary of SSNs:
    const guesses = ['123-45-6789', '123456789'].flatMap((v) => [
      createHash('sha256').update(v).digest('base64url').slice(0, 12),
      createHash('sha256').update(`US_SSN\0${v}`).digest('base64url').slice(0, 12),
      createHmac('sha256', '').update(`US_SSN\0${v}`).digest('base64url').slice(0, 12),
      createHmac('sha256', Buffer.from(KEY_A, 'base64'))
        .update(`US_SSN\0${v}`)
        .digest('base64url')
        .slice(0, 12),
    ]);
    expect(guesses).not.toContain(pseudonym);
  });

  it('remove drops the field, redacts inside longer text', () => {
    const m = createMasker({ strategies: { EMAIL: 'remove', PERSON: 'remove' } });
    const out = m.mask({
      id: 1,
      name: 'Ada',
      email: 'ada@example.com',
      note: 'write ada@example.com',
      list: ['ada@example.com', 'x'],
    });
    expect(out.value).toEqual({ id: 1, note: 'write [EMAIL]', list: ['x'] });
    expect(out.findings.byCategory).toEqual({ PERSON: 1, EMAIL: 3 });
  });

  it('falls back to redact for a tenant without a key', () => {
    const m = createMasker({
      keys: { acme: { current: 'k1', keys: { k1: KEY_A } } },
      defaultStrategy: 'tokenize',
    });
    expect(m.mask({ email: 'ada@example.com' }, { principal: principal('other') }).value).toEqual({
      email: '[EMAIL]',
    });
  });

  it('refuses hash or tokenize without keys, and bad keys, at construction', () => {
    expect(() => createMasker({ defaultStrategy: 'hash' })).toThrow(/keys/);
    expect(() => createMasker({ masterKey: 'c2hvcnQ=' })).toThrow(/32 bytes/);
    expect(() => createMasker({ keys: { a: { current: 'k2', keys: { k1: KEY_A } } } })).toThrow(
      /current/,
    );
    expect(() => createMasker({ strategies: { EMAIL: 'scramble' as 'redact' } })).toThrow(
      /strategies.EMAIL/,
    );
    expect(() =>
      createMasker({ strategies: { EMAIL: { type: 'partial', keepLast: -1 } } }),
    ).toThrow(/keepLast/);
  });

  it('the strictest strategy wins when several profiles apply', () => {
    const m = createMasker({
      profiles: {
        support: { strategies: { EMAIL: { type: 'partial', keepDomain: true } } },
        legal: { strategies: { EMAIL: 'remove' } },
      },
    });
    expect(m.mask({ email: 'ada@example.com' }, { profiles: ['support'] }).value).toEqual({
      email: 'a**@example.com',
    });
    expect(m.mask({ email: 'ada@example.com' }, { profiles: ['support', 'legal'] }).value).toEqual(
      {},
    );
  });
});
