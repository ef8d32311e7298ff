import { describe, expect, it } from 'vitest';
import { createMasker } from '../src/index.js';

// Correctness on 1 MB hostile strings; the time budget (< 100 ms) is measured in bench/.
const MB = 1_000_000;
const masker = createMasker();

function repeat(unit: string): string {
  return unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
}

describe('hostile input (1 MB strings)', () => {
  it.each([
    ['one long digit run', repeat('7')],
    ['digits and separators', repeat('1-2 3.4/5(6)')],
    ["'@' and dots", repeat('@.')],
    ['one letter', repeat('a')],
    ['colons and hex', repeat('a:')],
    ['letter-digit codes', repeat('AB12 ')],
    ['base64url dots', repeat('eyJa.')],
    ['labels without values', repeat('born DOB npi mrn ')],
  ])('%s: nothing that is not sensitive is changed', (_name, text) => {
    const out = masker.mask({ text });
    expect(out.value.text).toBe(text);
    expect(out.findings.total).toBe(0);
  });

  it('a run of valid card numbers is masked entirely', () => {
    const text = repeat('4111 1111 1111 1111 ');
    const out = masker.mask(text).value;
    expect(out).not.toMatch(/\d/);
    expect(out.startsWith('[CREDIT_CARD] [CREDIT_CARD]')).toBe(true);
  });

  it("long local parts and '@' runs still find the real address", () => {
    const text = 'a'.repeat(MB / 2) + ' ada@example.com ' + '@'.repeat(MB / 2);
    const out = masker.mask(text).value;
    expect(out).toContain(' [EMAIL] ');
    expect(out).not.toContain('ada@example.com');
    const glued = 'x'.repeat(200) + '@example.com';
    expect(masker.mask(glued).value).toBe('x'.repeat(136) + '[EMAIL]');
  });

  it('values above the limit are masked whole, never passed through', () => {
    const text = repeat('ada@example.com ') + 'x'.repeat(100_000);
    expect(masker.mask({ text }).value).toEqual({ text: '[OVERSIZED]' });
  });

  it('deeply nested and wide JSON is bounded', () => {
    const wide = Object.fromEntries(
      Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i % 2 ? 'ada@example.com' : i]),
    );
    const out = masker.mask(wide);
    expect(out.findings.byCategory).toEqual({ EMAIL: 25_000 });
    expect(out.findings.paths.length).toBe(1000);
    const nested = '['.repeat(5000) + ']'.repeat(5000);
    expect(masker.mask({ nested }).findings.byCategory).toEqual({ MAX_DEPTH: 1 });
  });

  it('1 MB of JSON text: card-like strings, escapes, nested MCP-like blocks', () => {
    const cards = `[${repeat('"4111 1111 1111 1112",').slice(0, MB - 40)}"x"]`;
    expect(masker.mask(cards).value).toBe(cards);
    const escapes = JSON.stringify({ t: repeat('\\"\n@1 ').slice(0, 600_000) });
    expect(masker.mask(escapes).value).toBe(escapes);
    const body = Array.from({ length: 380 }, (_, i) => `"k${i}":"4111 1111 1111 1111 x"`).join(',');
    let nested = '{"text":"ada@example.com","type":"text"}';
    for (let d = 0; d < 40; d++) nested = `{${body},"c":${nested},"type":"text"}`;
    const out = masker.mask(nested);
    const viaObject = masker.mask(JSON.parse(nested) as object);
    expect(out.value).toBe(JSON.stringify(viaObject.value));
    expect(out.findings).toEqual(viaObject.findings);
    expect(out.findings.byCategory).toEqual({ CREDIT_CARD: 380 * 40, EMAIL: 1 });
  });

  // Each of these took over ten seconds when a label's check for a quote read back to the
  // string's opening quote, and a private key header searched the rest of the text for its end
  // marker (and its string's closing quote): once per label or header, quadratic.
  it('1 MB of JSON text: labels in one string, private key headers in many', () => {
    const npis = Math.floor(MB / 15);
    const labels = masker.mask(JSON.stringify({ t: 'NPI 1234567893 '.repeat(npis) }));
    expect(labels.value).toBe(JSON.stringify({ t: 'NPI [NPI] '.repeat(npis) }));
    expect(labels.findings.total).toBe(npis);
    const born = masker.mask(JSON.stringify({ t: 'born 1990-01-02 '.repeat(MB / 16) }));
    expect(born.value).toBe(JSON.stringify({ t: 'born [DATE_OF_BIRTH] '.repeat(MB / 16) }));

    const header = '-----BEGIN PRIVATE KEY----- x';
    const count = Math.floor(MB / (header.length + 3));
    const headers = masker.mask(JSON.stringify(Array<string>(count).fill(header)));
    expect(headers.value).toBe(JSON.stringify(Array<string>(count).fill('[PRIVATE_KEY]')));
    expect(headers.findings.total).toBe(count);
    // The end marker of the last string is not the end of the others' keys.
    const ended = JSON.stringify([...Array<string>(count).fill(header), '-----END x-----']);
    expect(masker.mask(ended).value).toBe(
      JSON.stringify([...Array<string>(count).fill('[PRIVATE_KEY]'), '-----END x-----']),
    );

    const block = '-----BEGIN PRIVATE KEY----- x -----END PRIVATE KEY----- ';
    const blockCount = Math.floor(MB / block.length);
    const blocks = masker.mask(JSON.stringify({ t: block.repeat(blockCount) }));
    expect(blocks.value).toBe(JSON.stringify({ t: '[PRIVATE_KEY] '.repeat(blockCount) }));
  });
});
