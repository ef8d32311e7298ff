// The `time` of an audit event: `new Date(ms).toISOString()`, which costs more than the rest of
// the event's fields together. Calls arrive many per second, so the text up to the second is
// kept and only the milliseconds are written per call.

/** Largest time with a four-digit year (9999-12-31T23:59:59.999Z). */
const MAX_FOUR_DIGIT_YEAR = 253_402_300_799_999;

let cachedSecond = -1;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()` for an integer time from 1970 to 9999, with the part up to the
 * second reused while calls arrive within the same second. Other values take the Date path
 * (and throw what it throws).
 */
export function isoTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_FOUR_DIGIT_YEAR) {
    return new Date(ms).toISOString();
  }
  const millis = ms % 1000;
  const second = ms - millis;
  if (second !== cachedSecond) {
    // `2026-11-23T15:00:27.` — everything but the milliseconds and the `Z`.
    cachedPrefix = new Date(second).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  return cachedPrefix + (millis < 10 ? '00' : millis < 100 ? '0' : '') + String(millis) + 'Z';
}
