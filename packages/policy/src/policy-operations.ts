import { invalidCidrs, ipInCidrs } from './lib/ip-match.js';
import { inTimeWindow, isTimeZone, WEEKDAYS } from './lib/time-window.js';
import { OperationRegistry } from './operation-registry.js';

const COUNTRY = /^[A-Za-z]{2}$/;

function isLogic(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringTest(test: (s: string, t: string) => boolean) {
  return {
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([s, t]: readonly unknown[]) =>
      typeof s === 'string' && typeof t === 'string' && test(s, t),
  };
}

/**
 * A registry holding the policy helpers, ready for more custom operations:
 *
 * - `cidr_match: [ip, cidr | cidrs]`: the IPv4 / IPv6 address lies in one of the CIDRs
 *   (IPv4-mapped IPv6 addresses match IPv4 ranges). Literal CIDRs are checked at load time.
 * - `country_in: [country, ["FR", "DE"]]`: ISO 3166-1 alpha-2 code in the list, any case.
 * - `time_window: [time, "Europe/Paris", ["mon", …] | null, fromHour, toHour]`: weekday and
 *   hour in a time zone; hours are [from, to), `from > to` wraps midnight. The zone, days and
 *   hours must be literals (checked at load time).
 * - `starts_with`, `ends_with`, `contains: [string, string]`: plain substring tests (no
 *   regular expressions); false when either side is not a string.
 * - `lower: [string]`: lower-case form, `null` for a non-string.
 *
 * @example
 * const engine = policyEngine({
 *   operations: policyOperations().register('is_even', { evaluate: ([n]) => n === 2 }),
 *   policies: [...],
 * });
 */
export function policyOperations(): OperationRegistry {
  return new OperationRegistry()
    .register('cidr_match', {
      minArgs: 2,
      maxArgs: 2,
      check: ([, cidrs]) => {
        if (isLogic(cidrs)) return undefined;
        const list: unknown[] = Array.isArray(cidrs) ? cidrs : [cidrs];
        if (list.some(isLogic)) return undefined;
        if (list.length === 0) return 'needs at least one CIDR';
        return invalidCidrs(list).length > 0 ? 'malformed CIDR' : undefined;
      },
      evaluate: ([ip, cidrs]) => ipInCidrs(ip, cidrs),
    })
    .register('country_in', {
      minArgs: 2,
      maxArgs: 2,
      check: ([, list]) => {
        if (isLogic(list)) return undefined;
        if (!Array.isArray(list)) return 'needs a list of country codes';
        return list.every((c) => typeof c === 'string' && COUNTRY.test(c))
          ? undefined
          : 'country codes are two letters (ISO 3166-1 alpha-2)';
      },
      evaluate: ([country, list]) =>
        typeof country === 'string' &&
        COUNTRY.test(country) &&
        Array.isArray(list) &&
        list.some((c) => typeof c === 'string' && c.toUpperCase() === country.toUpperCase()),
    })
    .register('time_window', {
      minArgs: 3,
      maxArgs: 5,
      check: ([, zone, days, from, to]) => {
        if (!isTimeZone(zone)) return 'needs a literal, known time zone';
        if (
          days !== null &&
          !(Array.isArray(days) && days.every((d) => WEEKDAYS.has(d as string)))
        ) {
          return 'days are null or a list of sun, mon, tue, wed, thu, fri, sat';
        }
        const hour = (h: unknown, max: number): boolean =>
          h === undefined || (Number.isInteger(h) && (h as number) >= 0 && (h as number) <= max);
        return hour(from, 23) && hour(to, 24) ? undefined : 'hours are literal integers 0-24';
      },
      evaluate: ([time, zone, days, from, to]) => inTimeWindow(time, zone, days, from, to),
    })
    .register(
      'starts_with',
      stringTest((s, t) => s.startsWith(t)),
    )
    .register(
      'ends_with',
      stringTest((s, t) => s.endsWith(t)),
    )
    .register(
      'contains',
      stringTest((s, t) => s.includes(t)),
    )
    .register('lower', {
      minArgs: 1,
      maxArgs: 1,
      evaluate: ([s]) => (typeof s === 'string' ? s.toLowerCase() : null),
    });
}
