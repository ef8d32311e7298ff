import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ForbiddenError,
  auditEventSchema,
  canonicalJson,
  createDecisionId,
  createGuard,
  isDecisionId,
  readTraceparent,
  fail,
  memoryAuditSink,
  stdoutAuditSink,
  type AuditEvent,
} from '@agentguard/core';
import { isoTime } from '../src/audit/iso-time.js';
import { checkInputLimits, isFlatWithinLimits } from '../src/validation/input-limits.js';
import { serializeAuditEvent } from '../src/audit/serialize-audit-event.js';
import { principal, tableAuthenticator } from './helpers.js';

/** Whatever JSON.stringify does with `value`: its text, or the error it throws. */
function stringify(value: unknown): string | { error: string } {
  try {
    return JSON.stringify(value);
  } catch (error) {
    return { error: (error as Error).constructor.name };
  }
}

function serialize(value: unknown): string | { error: string } {
  try {
    return serializeAuditEvent(value as AuditEvent);
  } catch (error) {
    return { error: (error as Error).constructor.name };
  }
}

/** Real events of every kind the guard writes. */
async function guardEvents(): Promise<AuditEvent[]> {
  const sink = memoryAuditSink();
  const agentPrincipal = {
    ...principal({ subject: 'agent "7"\n', roles: ['clerk'] }),
    agent: { id: 'a-1', sponsor: 'alice', riskTier: 'high' },
    actor: { subject: 'alice', claims: { sub: 'alice' } },
    tokenId: 'jti-1',
  };
  const guard = createGuard({
    authenticator: tableAuthenticator({ agent: agentPrincipal, plain: principal() }),
    accessControl: {
      kind: 'access_control',
      name: 'test',
      authorize: (p, tool) =>
        tool.name === 'secret'
          ? fail(new ForbiddenError(undefined, { reason: 'nope' }))
          : { ok: true, value: { matchedRules: ['r-1', 'r "2"'] } },
    },
    hooks: {
      before: [
        {
          name: 'annotate',
          run: () => ({ action: 'allow', obligations: { annotations: { ticket: 'T-1' } } }),
        },
        { name: 'flaky', failMode: 'open', run: () => Promise.reject(new Error('down')) },
      ],
    },
    masker: {
      kind: 'masker',
      name: 'test',
      mask: (value) => ({
        value,
        findings: { total: 2, byCategory: { email: 2 }, paths: ['$.a'] },
      }),
    },
    audit: { sinks: [sink], recordArgs: true },
  });
  const input = z.object({ when: z.coerce.date().optional(), n: z.number().optional() });
  const echo = guard('echo', { input, operation: 'read' }, (args) => args);
  const broken = guard('broken', { input, operation: 'write' }, () => {
    throw new Error('boom');
  });
  const secret = guard('secret', { input, operation: 'delete' }, () => 1);
  const calls = [
    echo.execute({ n: 1.5 }, { token: 'agent', ip: '10.0.0.1', userAgent: 'x'.repeat(300) }),
    echo.execute(
      { when: '2026-01-02T03:04:05Z' },
      { token: 'plain', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    ),
    echo.execute({ extra: true }, { token: 'plain' }),
    echo.execute({}, { token: 'nobody' }),
    broken.execute({}, { token: 'plain', country: 'FR' }),
    secret.execute({}, { token: 'agent' }),
  ];
  await Promise.all(calls);
  await guard.flush();
  return [...sink.events];
}

describe('serializeAuditEvent', () => {
  it('writes exactly what JSON.stringify writes for every event the guard builds', async () => {
    const events = await guardEvents();
    expect(events.map((e) => e.outcome)).toEqual(
      expect.arrayContaining(['allowed', 'rejected', 'error']),
    );
    for (const event of events) {
      expect(auditEventSchema.safeParse(JSON.parse(serializeAuditEvent(event))).success).toBe(true);
      expect(serializeAuditEvent(event)).toBe(JSON.stringify(event));
    }
  });

  it('writes exactly what JSON.stringify writes for any object, in any key order', () => {
    const keys = Object.keys(auditEventSchema.shape);
    const value = fc.oneof(
      fc.constant(undefined),
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.constantFrom(0.001, 1.5, 12.345, 999_999_999.999, 1e21, -0, -1.25),
      fc.array(fc.string({ unit: 'grapheme' })),
      fc.anything(),
      fc.constant({ maskProfiles: [], annotations: {} }),
      fc.constant({ maskProfiles: [], annotations: {}, stepUp: undefined, approvalFlow: 'f' }),
      fc.dictionary(fc.string(), fc.oneof(fc.double(), fc.constant(undefined))),
      fc.constant({ toJSON: (key: string) => `toJSON(${key})` }),
      fc.constant(new Date(0)),
    );
    const event = fc.oneof(
      // Schema keys in schema order, some missing (the guard's events and replayed ones).
      fc
        .tuple(
          fc.double(),
          fc.array(fc.tuple(fc.boolean(), value), { minLength: keys.length - 1, maxLength: 40 }),
        )
        .map(([version, values]) => {
          const out: Record<string, unknown> = { version };
          keys.slice(1).forEach((key, i) => {
            const [present, v] = values[i]!;
            if (present) out[key] = v;
          });
          return out;
        }),
      // Anything else: other orders, unknown keys.
      fc.dictionary(fc.constantFrom(...keys, 'extra', 'toJSON', '__proto__'), value),
    );
    fc.assert(
      fc.property(event, (e) => {
        expect(serialize(e)).toEqual(stringify(e));
      }),
      { numRuns: 2_000 },
    );
  });

  it('stays exact when events repeat values, lists or escapes between them', () => {
    const rules = Object.freeze(['r-1', 'r-2']);
    const base = {
      version: 1,
      decisionId: 'd',
      traceId: 't',
      time: '2026-01-01T00:00:00.000Z',
      tool: 'x',
      operation: 'read',
      outcome: 'allowed',
      matchedRules: rules,
      matchedPolicies: [],
      obligations: { maskProfiles: [], annotations: {} },
      hookFailures: [],
      latencyMs: 0.5,
      timings: { authenticate: 0.25 },
    };
    const variants: Record<string, unknown>[] = [
      base,
      { ...base, tool: 'x"y' },
      base,
      { ...base, matchedRules: Object.freeze(['r-1', 'r\\2']) },
      { ...base, matchedRules: ['r-1', 'r-2'] },
      base,
      { ...base, subject: 'line\nbreak', tenantId: 'é' },
      { ...base, subject: 'plain', tenantId: 'é' },
    ];
    for (const event of variants) {
      expect(serializeAuditEvent(event as AuditEvent)).toBe(JSON.stringify(event));
    }
  });

  it('reuses the text of repeated members only while it is exactly what JSON.stringify writes', () => {
    // Shared objects mutated between events: a member's text must never come from an earlier
    // event unless it cannot have changed (primitives, empty lists, frozen lists of strings).
    const shared = {
      rules: ['r-1'],
      policies: [] as unknown[],
      obligations: { maskProfiles: [] as string[], annotations: {} as Record<string, unknown> },
      hooks: [] as unknown[],
      agent: { id: 'a-1' } as Record<string, unknown>,
      frozen: Object.freeze(['r-1', 'r-2']),
      otherFrozen: Object.freeze(['x']),
    };
    const mutate = fc.constantFrom(
      () => shared.rules.push('r-"3"'),
      () => shared.policies.push({ id: 'p' }),
      () => shared.obligations.maskProfiles.push('pii'),
      () => (shared.obligations.annotations['k'] = 'v'),
      () => shared.hooks.push({ hook: 'h' }),
      () => (shared.agent['sponsor'] = 'alice'),
      () => {
        shared.rules = ['r-1'];
        shared.policies = [];
        shared.obligations = { maskProfiles: [], annotations: {} };
        shared.hooks = [];
        shared.agent = { id: 'a-1' };
      },
    );
    const pick = <T>(...values: T[]) => fc.constantFrom(...values);
    const event = fc.record({
      tool: pick('a', 'b', 'c"d'),
      outcome: pick('allowed', 'rejected'),
      code: pick(undefined, 'forbidden'),
      tenantId: pick('t', 'é'),
      subject: pick(undefined, 's', 'line\nbreak'),
      agent: pick('none', 'shared', 'fresh'),
      clientIp: pick(undefined, '127.0.0.1'),
      matchedRules: pick('frozen', 'otherFrozen', 'shared', 'empty', 'fresh'),
      matchedPolicies: pick('empty', 'shared'),
      obligations: pick('empty', 'shared', 'emptyWithKeys'),
      hookFailures: pick('empty', 'shared'),
      args: pick(undefined, 'frozen', 'otherFrozen'),
    });
    const build = (c: {
      tool: string;
      outcome: string;
      code: string | undefined;
      tenantId: string;
      subject: string | undefined;
      agent: string;
      clientIp: string | undefined;
      matchedRules: string;
      matchedPolicies: string;
      obligations: string;
      hookFailures: string;
      args: string | undefined;
    }) => ({
      version: 1,
      decisionId: 'd',
      traceId: 't',
      parentSpanId: undefined,
      time: '2026-01-01T00:00:00.000Z',
      tool: c.tool,
      operation: 'write',
      outcome: c.outcome,
      code: c.code,
      reason: undefined,
      stage: undefined,
      tenantId: c.tenantId,
      subject: c.subject,
      authenticatedBy: 'jwt',
      agent: c.agent === 'none' ? undefined : c.agent === 'shared' ? shared.agent : { id: 'f' },
      actor: undefined,
      tokenId: undefined,
      clientIp: c.clientIp,
      country: undefined,
      userAgent: 'ua',
      matchedRules:
        c.matchedRules === 'frozen'
          ? shared.frozen
          : c.matchedRules === 'otherFrozen'
            ? shared.otherFrozen
            : c.matchedRules === 'shared'
              ? shared.rules
              : c.matchedRules === 'empty'
                ? []
                : ['r-"9"'],
      matchedPolicies: c.matchedPolicies === 'empty' ? [] : shared.policies,
      obligations:
        c.obligations === 'empty'
          ? { maskProfiles: [], annotations: {} }
          : c.obligations === 'shared'
            ? shared.obligations
            : { maskProfiles: [], annotations: {}, stepUp: undefined, approvalFlow: undefined },
      approvalId: undefined,
      hookFailures: c.hookFailures === 'empty' ? [] : shared.hooks,
      argsDigest: 'digest',
      args: c.args === undefined ? undefined : shared[c.args as 'frozen' | 'otherFrozen'],
      masking: undefined,
      latencyMs: 0.5,
      timings: { authenticate: 0.25 },
    });
    // Runs of events that differ from the one before in one member at most, so that the
    // repeated text is reused often; objects mutated in between.
    const change = event.chain((next) =>
      fc.constantFrom(...Object.keys(next)).map((key) => ({ key, next })),
    );
    fc.assert(
      fc.property(
        event,
        fc.array(fc.oneof(mutate, change, fc.constant('same' as const)), { maxLength: 40 }),
        (first, steps) => {
          let current = first;
          for (const step of steps) {
            if (typeof step === 'function') {
              step();
              continue;
            }
            if (step !== 'same') {
              const key = step.key as keyof typeof current;
              current = { ...current, [key]: step.next[key] };
            }
            const e = build(current);
            expect(serializeAuditEvent(e as unknown as AuditEvent)).toBe(JSON.stringify(e));
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('stays exact when Object.prototype has an enumerable key', () => {
    const event = {
      version: 1,
      decisionId: 'd',
      traceId: 't',
      time: 'x',
      tool: 't',
      operation: 'read',
      outcome: 'allowed',
      matchedRules: [],
      matchedPolicies: [],
      obligations: { maskProfiles: [], annotations: {} },
      hookFailures: [],
      latencyMs: 1,
      timings: { authenticate: 0.5 },
    } as unknown as AuditEvent;
    const proto = Object.prototype as Record<string, unknown>;
    proto['polluted'] = 'yes';
    try {
      expect(serializeAuditEvent(event)).toBe(JSON.stringify(event));
    } finally {
      delete proto['polluted'];
    }
    expect(serializeAuditEvent(event)).toBe(JSON.stringify(event));
  });

  it('leaves events of another prototype, or with toJSON, to JSON.stringify', () => {
    class Event {
      version = 1;
      tool = 't';
    }
    expect(serializeAuditEvent(new Event() as unknown as AuditEvent)).toBe(
      '{"version":1,"tool":"t"}',
    );
    const withToJson = { version: 1, toJSON: () => 'replaced' } as unknown as AuditEvent;
    expect(serializeAuditEvent(withToJson)).toBe('"replaced"');
  });

  it('is what stdoutAuditSink writes, one line per event', async () => {
    const events = await guardEvents();
    let written = '';
    const sink = stdoutAuditSink({
      stream: {
        write(chunk, callback) {
          written += chunk;
          callback();
          return true;
        },
      },
    });
    await sink.write(events);
    expect(written).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  });
});

describe('isoTime', () => {
  it('is new Date(ms).toISOString() for every time, second after second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
        expect(isoTime(ms + 1)).toBe(new Date(ms + 1).toISOString());
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes the Date path (and its errors) outside 1970-9999 and for fractions', () => {
    for (const ms of [-1, -62_198_755_200_000, 1.5, 253_402_300_800_000, 8.64e15]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});

describe('timings', () => {
  it('are milliseconds rounded to the microsecond', async () => {
    const sink = memoryAuditSink();
    const guard = createGuard({
      authenticator: tableAuthenticator({ t: principal() }),
      accessControl: {
        kind: 'access_control',
        name: 'slow',
        authorize: async () => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          return { ok: true, value: { matchedRules: [] } };
        },
      },
      audit: { sinks: [sink] },
    });
    const result = await guard('t', { input: z.object({}), operation: 'read' }, () => 1).execute(
      {},
      { token: 't' },
    );
    await guard.flush();
    const event = sink.events[0]!;
    for (const ms of [event.latencyMs, ...Object.values(event.timings)]) {
      expect(Math.round(ms * 1000) / 1000).toBe(ms);
    }
    expect(event.timings['authorize']).toBeGreaterThanOrEqual(1);
    expect(result.decision.latencyMs).toBe(event.latencyMs);
  });
});

/** Canonical JSON the long way (keys sorted at every level), to check the fast paths against. */
function referenceCanonical(value: unknown, depth = 0): string {
  if (depth > 256) throw new TypeError('value too deep to serialise');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite number');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      const maybeJson = value as { toJSON?: () => unknown };
      if (typeof maybeJson.toJSON === 'function') {
        return referenceCanonical(maybeJson.toJSON(), depth + 1);
      }
      if (Array.isArray(value)) {
        return `[${value
          .map((item: unknown) =>
            item === undefined || typeof item === 'function'
              ? 'null'
              : referenceCanonical(item, depth + 1),
          )
          .join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .sort()
        .filter((key) => !['undefined', 'function', 'symbol'].includes(typeof record[key]))
        .map((key) => `${JSON.stringify(key)}:${referenceCanonical(record[key], depth + 1)}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`${typeof value} is not JSON`);
  }
}

describe('canonicalJson', () => {
  it('writes flat objects with sorted keys like the key-by-key algorithm', () => {
    const outcome = (f: () => string) => {
      try {
        return f();
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    const primitive = fc.oneof(
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(Number.NaN),
    );
    const flat = fc.dictionary(fc.string(), primitive);
    const sortedFlat = flat.map((record) =>
      Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    );
    fc.assert(
      fc.property(fc.oneof(flat, sortedFlat, fc.anything({ maxDepth: 3 })), (value) => {
        expect(outcome(() => canonicalJson(value))).toEqual(
          outcome(() => referenceCanonical(value)),
        );
      }),
      { numRuns: 3_000 },
    );
    expect(canonicalJson({ id: 'o-42', qty: 3 })).toBe('{"id":"o-42","qty":3}');
    expect(canonicalJson({ a: -0, b: 1e21, c: 'é"\n' })).toBe('{"a":0,"b":1e+21,"c":"é\\"\\n"}');
  });
});

describe('isFlatWithinLimits', () => {
  it('answers true only where checkInputLimits finds nothing', () => {
    const limits = fc.record({
      maxDepth: fc.integer({ min: 1, max: 3 }),
      maxStringLength: fc.integer({ min: 1, max: 12 }),
      maxArrayLength: fc.integer({ min: 1, max: 4 }),
      maxObjectKeys: fc.integer({ min: 1, max: 6 }),
      maxTotalSize: fc.integer({ min: 1, max: 120 }),
    });
    const member = fc.oneof(
      fc.string({ maxLength: 14 }),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant([1]),
      fc.constant({ a: 1 }),
      fc.constant(() => 1),
    );
    const value = fc.oneof(
      fc.dictionary(fc.oneof(fc.string({ maxLength: 14 }), fc.constant('__proto__')), member, {
        maxKeys: 8,
      }),
      fc.anything({ maxDepth: 2 }),
    );
    let flat = 0;
    fc.assert(
      fc.property(value, limits, (v, l) => {
        const fast = isFlatWithinLimits(v, l);
        if (fast) flat += 1;
        expect(fast && checkInputLimits(v, l).length > 0).toBe(false);
        if (!fast && typeof v === 'object' && v !== null && !Array.isArray(v)) {
          const members = Object.values(v);
          const primitives = members.every((m) => m === null || typeof m !== 'object');
          const plain = Object.getPrototypeOf(v) === Object.prototype;
          if (primitives && plain && !members.some((m) => typeof m === 'function')) {
            // Not flat-and-fine although flat: then the full check has something to report.
            expect(checkInputLimits(v, l).length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 3_000 },
    );
    expect(flat).toBeGreaterThan(100);
  });
});

describe('createDecisionId', () => {
  it('writes the millisecond it is given, whatever came before', () => {
    const times = fc.array(fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }), {
      minLength: 1,
      maxLength: 20,
    });
    fc.assert(
      fc.property(times, fc.boolean(), (list, repeat) => {
        for (const ms of repeat ? list.flatMap((t) => [t, t]) : list) {
          const id = createDecisionId(ms);
          expect(isDecisionId(id)).toBe(true);
          const written = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
          // Ids never go back in time: a clock that steps back keeps the last millisecond.
          expect(written).toBeGreaterThanOrEqual(ms);
        }
      }),
    );
    const base = 2_100_000_000_123; // later than any above: ids only move forward
    const id = createDecisionId(base + 10_000_000);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(base + 10_000_000);
  });
});

describe('new trace ids', () => {
  it('are 32 lower-case hex digits, never all zero, distinct across pool refills', () => {
    const ids = Array.from({ length: 2_000 }, () => readTraceparent(undefined).traceId);
    for (const id of ids) expect(id).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
