import { describe, expect, it } from 'vitest';
import { createMasker } from '../src/index.js';
import { compileOptions } from '../src/lib/compile.js';
import { KEY_A, principal } from './helpers.js';

// V8's legacy RegExp statics (RegExp.input, RegExp.lastMatch, RegExp.$1…) keep the subject of
// the last successful match anywhere in the process: a heap dump would show it there until some
// other regular expression matched. The masker clears them after the matches it makes on a
// response, a master key or a token.
const legacy = RegExp as unknown as {
  readonly input: string;
  readonly lastMatch: string;
  readonly $1: string;
};

function statics(): string {
  return `${legacy.input}\n${legacy.lastMatch}\n${legacy.$1}`;
}

const acme = principal('acme', ['pii:detokenize']);

describe('legacy RegExp statics after masking', () => {
  it('do not hold the response masked', () => {
    const masker = createMasker();
    const text = JSON.stringify({
      notes:
        'Patient born on 1997-08-19, NPI 1234567893, VAT NL085535518B28, IBAN NL59WWXR0281707065',
      log: 'session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln Bearer abcdefghijklmnopqrstuvwxyz',
    });
    const out = masker.mask(text);
    // (Read before any expect: the matchers run regular expressions of their own.)
    const after = statics();
    expect(out.findings.total).toBeGreaterThanOrEqual(5);
    expect(after).not.toContain('1997-08-19');
    expect(after).not.toContain('NL59WWXR');
    expect(after).not.toContain('1234567893');
  });

  it('do not hold the master key nor a token being opened', async () => {
    const masker = createMasker({ masterKey: KEY_A, strategies: { EMAIL: 'tokenize' } });
    const afterKey = statics();
    expect(afterKey).not.toContain(KEY_A);
    const token = masker.mask({ e: 'ada@example.com' }, { principal: acme }).value.e;
    // (Sealing reads the key set, which checks each key's text with a regular expression.)
    const afterSeal = statics();
    expect(afterSeal).not.toContain(KEY_A);
    expect(token.startsWith('agtok_v1.')).toBe(true);
    const opened = await masker.detokenize(token, { principal: acme });
    const afterDetokenize = statics();
    expect(opened.ok).toBe(true);
    expect(afterDetokenize).not.toContain(token.slice(9));
    // The keyring itself, right after it has read a token.
    const keyring = compileOptions({ masterKey: KEY_A }).keyring!;
    const result = keyring.open(token, 'acme');
    const afterOpen = statics();
    // One under a key id the keyring does not have: refused right after it is read.
    const unknown = token.replace('agtok_v1.m1.', 'agtok_v1.zz.');
    const refused = keyring.open(unknown, 'acme');
    const afterRefusal = statics();
    expect(result.ok).toBe(true);
    expect(afterOpen).not.toContain(token.slice(12));
    expect(refused).toEqual({ ok: false, reason: 'unknown_key', keyId: 'zz' });
    expect(afterRefusal).not.toContain(token.slice(12));
    // A tenant the key provider has no keys for: refused before any key is looked at.
    const provided = compileOptions({
      keys: (tenantId) =>
        tenantId === 'acme' ? { current: 'm1', keys: { m1: KEY_A } } : undefined,
    }).keyring!;
    const noKeys = provided.open(token, 'other');
    const afterNoKeys = statics();
    expect(noKeys).toEqual({ ok: false, reason: 'unknown_key', keyId: 'm1' });
    expect(afterNoKeys).not.toContain(token.slice(12));
  });
});
