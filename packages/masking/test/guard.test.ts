import {
  allowAllAccess,
  createGuard,
  memoryAuditSink,
  type Authenticator,
  type PolicyEngine,
} from '@agentguard/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMasker } from '../src/index.js';
import { KEY_A, principal } from './helpers.js';

const EU = new Set(['DE', 'FR', 'ES', 'IT', 'NL', 'IE', 'AT', 'BE', 'PL', 'PT', 'SE']);

// A policy engine, written against the core contract, with one conditional masking policy:
// "mask with the GDPR profile when the request comes from the EU".
const gdprWhenEu: PolicyEngine = {
  kind: 'policy',
  name: 'gdpr-when-eu',
  evaluate: ({ context }) =>
    context.country !== undefined && EU.has(context.country)
      ? {
          ok: true,
          matched: [{ id: 'gdpr-eu', action: 'mask', monitor: false }],
          obligations: { maskProfiles: ['GDPR'] },
        }
      : { ok: true, matched: [] },
};

const auth: Authenticator = {
  kind: 'authenticator',
  name: 'test',
  authenticate: () => ({ ok: true, value: principal('acme') }),
};

describe('with createGuard', () => {
  it('masks results, conditionally by policy obligation, and what the audit keeps of the args', async () => {
    const sink = memoryAuditSink();
    const masker = createMasker({
      masterKey: KEY_A,
      categories: ['PCI', 'SECRETS'],
      profiles: { GDPR: { strategies: { EMAIL: 'hash' } } },
    });
    const guard = createGuard({
      authenticator: auth,
      accessControl: allowAllAccess(),
      policy: gdprWhenEu,
      masker,
      audit: { sinks: [sink], recordArgs: true },
    });
    const getCustomer = guard(
      'crm.get_customer',
      { input: z.object({ email: z.string() }), operation: 'read' },
      ({ email }) => ({
        email,
        card: '4111 1111 1111 1111',
        content: [{ type: 'text', text: `Customer ${email}, IBAN DE89 3704 0044 0532 0130 00` }],
      }),
    );

    const us = await getCustomer({ email: 'ada@example.com' }, { country: 'US' });
    expect(us).toEqual({
      email: 'ada@example.com',
      card: '[CREDIT_CARD]',
      content: [
        { type: 'text', text: 'Customer ada@example.com, IBAN DE89 3704 0044 0532 0130 00' },
      ],
    });

    const eu = await getCustomer({ email: 'ada@example.com' }, { country: 'DE' });
    expect(eu.email).toMatch(/^\[EMAIL:[\w-]{12}\]$/);
    expect(eu.card).toBe('[CREDIT_CARD]');
    expect(eu.content[0]!.text).toBe(`Customer ${eu.email}, IBAN [IBAN]`);

    await guard.flush();
    const events = sink.events;
    expect(events).toHaveLength(2);
    expect(events[1]!.masking).toEqual({
      total: 4,
      byCategory: { EMAIL: 2, CREDIT_CARD: 1, IBAN: 1 },
    });
    expect(JSON.stringify(events[1]!.args)).not.toContain('ada@example.com');
    expect(JSON.stringify(events)).not.toContain('4111 1111');
  });

  it('fails closed when a value is too large and oversized is reject', async () => {
    const guard = createGuard({
      authenticator: auth,
      accessControl: allowAllAccess(),
      masker: createMasker({ maxStringLength: 100, oversized: 'reject' }),
    });
    const tool = guard('t', { input: z.object({}), operation: 'read' }, () => ({
      blob: 'ada@example.com '.repeat(20),
    }));
    const result = await tool.execute({});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('internal_error');
      expect(JSON.stringify(result.error.toJSON())).not.toContain('ada@');
    }
  });
});
