import { describe, expect, it } from 'vitest';
import { createMasker, type DetokenizeAuditEvent } from '../src/index.js';
import { KEY_A, KEY_B, principal, TOOL } from './helpers.js';

function tokenOf(text: string): string {
  const m = /agtok_v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(text);
  if (!m) throw new Error('no token');
  return m[0];
}

describe('tokenize and detokenize', () => {
  const events: DetokenizeAuditEvent[] = [];
  const keys = {
    acme: { current: 'k1', keys: { k1: KEY_A } },
    globex: { current: 'k1', keys: { k1: KEY_B } },
  };
  const masker = createMasker({
    keys,
    defaultStrategy: 'tokenize',
    audit: (e) => void events.push(e),
  });
  const acme = principal('acme', ['pii:detokenize']);

  it('makes recognisable, non-deterministic tokens that carry the key id', () => {
    const a = masker.mask(
      { note: 'mail ada@example.com' },
      { principal: acme, profiles: [], target: 'result', tool: TOOL },
    );
    const b = masker.mask(
      { note: 'mail ada@example.com' },
      { principal: acme, profiles: [], target: 'result', tool: TOOL },
    );
    const ta = tokenOf(a.value.note);
    expect(ta.startsWith('agtok_v1.k1.')).toBe(true);
    expect(ta).not.toBe(tokenOf(b.value.note));
    expect(ta).not.toContain('ada');
  });

  it('detokenizes for a permitted principal of the same tenant, and audits it', async () => {
    events.length = 0;
    const perCall: DetokenizeAuditEvent[] = [];
    const { value } = masker.mask({ email: 'ada@example.com' }, { principal: acme });
    const token = value.email;
    const result = await masker.detokenize(token, {
      principal: acme,
      audit: (e) => void perCall.push(e),
    });
    expect(result).toEqual({
      ok: true,
      value: { value: 'ada@example.com', type: 'EMAIL', keyId: 'k1' },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outcome: 'allowed',
      tenantId: 'acme',
      subject: 'user-acme',
      keyId: 'k1',
      valueType: 'EMAIL',
    });
    expect(JSON.stringify(events)).not.toContain('ada@example.com');
    expect(JSON.stringify(events)).not.toContain(token);
    expect(perCall).toHaveLength(1);
  });

  it('denies without the permission, and audits the denial', async () => {
    events.length = 0;
    const token = masker.mask({ email: 'ada@example.com' }, { principal: acme }).value.email;
    const result = await masker.detokenize(token, { principal: principal('acme', ['crm:read']) });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('forbidden');
      expect(result.error.reason).toBe('missing_permission');
      expect(result.error.message).not.toContain(token);
    }
    expect(events).toEqual([
      expect.objectContaining({ outcome: 'denied', reason: 'missing_permission' }),
    ]);
  });

  it('never decrypts a token of one tenant for another tenant', async () => {
    const token = masker.mask({ email: 'ada@example.com' }, { principal: acme }).value.email;
    const other = await masker.detokenize(token, {
      principal: principal('globex', ['pii:detokenize']),
    });
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.error.reason).toBe('invalid_token');

    // Same key material for both tenants: the tenant-bound derivation and AAD still refuse it.
    const shared = createMasker({
      keys: { '*': { current: 'k1', keys: { k1: KEY_A } } },
      defaultStrategy: 'tokenize',
    });
    const t2 = shared.mask({ email: 'ada@example.com' }, { principal: acme }).value.email;
    const cross = await shared.detokenize(t2, {
      principal: principal('globex', ['pii:detokenize']),
    });
    expect(cross.ok).toBe(false);
    expect((await shared.detokenize(t2, { principal: acme })).ok).toBe(true);
  });

  it('keeps old tokens readable after key rotation, and new tokens use the new key', async () => {
    let set = { current: 'k1', keys: { k1: KEY_A } as Record<string, string> };
    const rotating = createMasker({ keys: () => set, defaultStrategy: 'tokenize' });
    const old = rotating.mask({ ssn: '123-45-6789' }, { principal: acme }).value.ssn;
    set = { current: 'k2', keys: { k1: KEY_A, k2: KEY_B } };
    const fresh = rotating.mask({ ssn: '123-45-6789' }, { principal: acme }).value.ssn;
    expect(fresh.startsWith('agtok_v1.k2.')).toBe(true);
    expect(await rotating.detokenize(old, { principal: acme })).toMatchObject({
      ok: true,
      value: { value: '123-45-6789', keyId: 'k1' },
    });
    expect(await rotating.detokenize(fresh, { principal: acme })).toMatchObject({
      ok: true,
      value: { keyId: 'k2' },
    });
    // Once the old key is retired, its tokens are refused.
    set = { current: 'k2', keys: { k2: KEY_B } };
    const retired = await rotating.detokenize(old, { principal: acme });
    expect(retired.ok).toBe(false);
    if (!retired.ok) expect(retired.error.reason).toBe('unknown_key');
  });

  it('refuses tampered and malformed tokens', async () => {
    const token = masker.mask({ email: 'ada@example.com' }, { principal: acme }).value.email;
    const body = token.split('.')[2]!;
    const flipped = `agtok_v1.k1.${body.slice(0, 20)}${body[20] === 'A' ? 'B' : 'A'}${body.slice(21)}`;
    const cases = [
      flipped,
      'agtok_v1.k1.short',
      'agtok_v2.k1.' + body,
      token.replace('.k1.', '.k9.'),
      '',
      'x'.repeat(200_000),
    ];
    for (const bad of cases) {
      const r = await masker.detokenize(bad, { principal: acme });
      expect(r.ok).toBe(false);
    }
  });

  it('fails closed when the audit callback fails', async () => {
    const strict = createMasker({
      keys,
      defaultStrategy: 'tokenize',
      audit: () => Promise.reject(new Error('sink down')),
    });
    const token = strict.mask({ email: 'ada@example.com' }, { principal: acme }).value.email;
    const r = await strict.detokenize(token, { principal: acme });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toBe('audit_failed');
  });
});
