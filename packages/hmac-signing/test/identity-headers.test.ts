import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeIdentityValue, decodeRoles, encodeIdentityHeaders } from '../src/index.js';
import { IDENTITY } from './helpers.js';

describe('identity header encoding', () => {
  it('round-trips any well-formed unicode value and produces only safe header characters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), { maxLength: 5 }),
        (subject, roles) => {
          const headers = new Map(encodeIdentityHeaders({ ...IDENTITY, subject, roles }));
          const encoded = headers.get('agentguard-subject')!;
          expect(encoded).toMatch(/^[A-Za-z0-9\-_.!~*'()%]+$/);
          expect(decodeIdentityValue(encoded)).toBe(subject);
          expect(decodeRoles(headers.get('agentguard-roles')!)).toEqual(roles);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses non-canonical or malformed values', () => {
    for (const bad of ['a b', 'a,b', '%4', '%zz', '%41', '%c3%a9', '"x"', '%C3']) {
      expect(decodeIdentityValue(bad)).toBeUndefined();
    }
    expect(decodeIdentityValue('%C3%A9')).toBe('é');
    expect(decodeRoles('')).toEqual([]);
    expect(decodeRoles('a,,b')).toBeUndefined();
    expect(decodeRoles('a,')).toBeUndefined();
  });

  it('omits the agent and receipt headers when the identity has none', () => {
    const names = encodeIdentityHeaders({ ...IDENTITY, agentId: undefined }).map(([n]) => n);
    expect(names).toEqual([
      'agentguard-subject',
      'agentguard-tenant',
      'agentguard-roles',
      'agentguard-decision-id',
      'agentguard-tool',
    ]);
  });
});
