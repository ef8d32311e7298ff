import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkContentDigest, createContentDigest } from '../src/index.js';

const body = new TextEncoder().encode('{"hello": "world"}');

describe('Content-Digest (RFC 9530)', () => {
  it('matches the RFC 9530 / 9421 example digests', () => {
    expect(createContentDigest(body)).toBe(
      'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
    );
    expect(
      checkContentDigest(
        'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
        body,
      ),
    ).toBe(true);
  });

  it('checks every supported digest and ignores unknown algorithms', () => {
    const sha256 = createHash('sha256').update(body).digest('base64');
    const sha512 = createHash('sha512').update(body).digest('base64');
    expect(checkContentDigest(`md5=:AAAA:, sha-256=:${sha256}:`, body)).toBe(true);
    expect(checkContentDigest(`sha-256=:${sha256}:, sha-512=:${sha256}:`, body)).toBe('mismatch');
    expect(checkContentDigest(`sha-512=:${sha512}:, sha-256=:${sha256}:`, body)).toBe(true);
    expect(checkContentDigest('md5=:AAAA:', body)).toBe('unsupported_algorithm');
  });

  it('detects a different body, a malformed header and a digest of the wrong type', () => {
    const digest = createContentDigest(body);
    expect(checkContentDigest(digest, new TextEncoder().encode('{"hello": "World"}'))).toBe(
      'mismatch',
    );
    expect(checkContentDigest(digest, null)).toBe('mismatch');
    expect(checkContentDigest('sha-256=AAAA', body)).toBe('malformed');
    expect(checkContentDigest('sha-256="abc"', body)).toBe('malformed');
    expect(checkContentDigest('not a dictionary', body)).toBe('malformed');
    expect(checkContentDigest(createContentDigest(null), new Uint8Array(0))).toBe(true);
  });
});
