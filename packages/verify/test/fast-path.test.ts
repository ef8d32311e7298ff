import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isInnerList,
  parseDictionary,
  serializeInnerList,
  type SfItem,
} from '@agentguard/hmac-signing';
import { fastSignature, fastSignatureInput } from '../src/lib/fast-signature-fields.js';
import { createVerifier } from '../src/index.js';
import { KEYS, NOW, alter, signedPost } from './helpers.js';

// The fast path must agree with the strict parser whenever it answers, and answer nothing
// the parser would refuse.
function strict(field: string) {
  try {
    const member = parseDictionary(field).get('agentguard');
    if (member === undefined || !isInnerList(member)) return undefined;
    return member;
  } catch {
    return null;
  }
}

describe('fast path for canonical signature fields', () => {
  const name = fc.stringMatching(/^@?[a-z][a-z0-9-]{0,12}$/);
  const param = fc.tuple(
    fc.stringMatching(/^[a-z][a-z0-9_.-]{0,6}$/),
    fc.oneof(fc.nat({ max: 2 ** 40 }), fc.stringMatching(/^[ -~]{0,16}$/)),
  );
  const input = fc
    .tuple(
      fc.array(name, { maxLength: 12 }),
      fc.array(param, { maxLength: 6 }),
      fc.constantFrom('', ' ', ';', '"', ',x=1'),
    )
    .map(([names, params, noise]) => {
      const list = `(${names.map((n) => `"${n}"`).join(' ')})`;
      const ps = params
        .map(([k, v]) => `;${k}=${typeof v === 'number' ? v : `"${v.replace(/["\\]/g, '\\$&')}"`}`)
        .join('');
      return `agentguard=${list}${ps}${noise}`;
    });

  it('agrees with the strict parser on generated inputs', () => {
    let hits = 0;
    fc.assert(
      fc.property(input, (field) => {
        const fast = fastSignatureInput(field, 'agentguard');
        const parsed = strict(field);
        if (fast === undefined) return;
        hits += 1;
        // Whatever the fast path accepts, the strict parser accepts identically.
        expect(parsed).toBeTruthy();
        if (!parsed) return;
        expect(fast.names).toEqual(parsed.items.map((i: SfItem) => i.value));
        expect(fast.serialized).toBe(serializeInnerList(parsed));
        expect([...fast.params]).toEqual([...parsed.params]);
      }),
      { numRuns: 3000 },
    );
    expect(hits).toBeGreaterThan(200);
  });

  it('leaves non-canonical or other forms to the strict parser', () => {
    for (const field of [
      'agentguard=( "@method");created=1',
      'agentguard=("@method";req);created=1',
      'agentguard=("@method");created=01',
      'agentguard=("@method");created=1;created=2',
      'agentguard=("@method"), other=("x")',
      'agentguard=("@method");n="a;b"',
      'agentguard=("Method")',
      'sig=("@method")',
    ]) {
      expect([field, fastSignatureInput(field, 'agentguard')]).toEqual([field, undefined]);
    }
    expect(fastSignature('agentguard=:AAEC:', 'agentguard')).toEqual(Buffer.from([0, 1, 2]));
    for (const field of [
      'agentguard=:AAE:',
      'agentguard=:A=EC:',
      'agentguard=:AAEC',
      'agentguard=:AA*C:',
      'other=:AAEC:',
    ]) {
      expect([field, fastSignature(field, 'agentguard')]).toEqual([field, undefined]);
    }
  });

  it('a signature whose fields are valid but not canonical verifies through the strict parser', async () => {
    const signed = await signedPost();
    const spaced = await alter(signed, {
      edit: (h) => {
        h.set('signature-input', ` ${h.get('signature-input')!.replace('=(', '=(  ')} `);
        h.set('signature', `${h.get('signature')!},   other=:AAAA:`);
      },
    });
    const result = createVerifier({ keys: KEYS, now: () => NOW }).verifyMessage({
      method: spaced.method,
      url: spaced.url,
      headers: spaced.headers,
      body: new Uint8Array(await spaced.arrayBuffer()),
    });
    expect(result instanceof Promise).toBe(false);
    expect((await result).ok).toBe(true);
  });
});
