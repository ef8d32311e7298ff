const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const MAX_ZONES = 64;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday names a time window accepts. */
export const WEEKDAYS: ReadonlySet<string> = new Set(DAYS);

function formatter(timeZone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(timeZone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: 'numeric',
      hourCycle: 'h23',
    });
  } catch {
    return undefined;
  }
  if (formatters.size >= MAX_ZONES) formatters.clear();
  formatters.set(timeZone, f);
  return f;
}

/** Whether `timeZone` is a time zone this runtime knows. */
export function isTimeZone(timeZone: unknown): boolean {
  return typeof timeZone === 'string' && formatter(timeZone) !== undefined;
}

/**
 * Whether `time` (ms since the epoch, or an ISO string) falls on one of `days` (empty or null:
 * every day) and within [fromHour, toHour) in `timeZone`. `fromHour > toHour` wraps midnight.
 */
export function inTimeWindow(
  time: unknown,
  timeZone: unknown,
  days: unknown,
  fromHour: unknown,
  toHour: unknown,
): boolean {
  const ms = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : NaN;
  if (!Number.isFinite(ms) || typeof timeZone !== 'string') return false;
  const f = formatter(timeZone);
  if (!f) return false;
  let weekday = '';
  let hour = -1;
  for (const part of f.formatToParts(ms)) {
    if (part.type === 'weekday') weekday = part.value.toLowerCase();
    else if (part.type === 'hour') hour = Number(part.value);
  }
  if (Array.isArray(days) && days.length > 0 && !days.includes(weekday)) return false;
  if (days !== null && days !== undefined && !Array.isArray(days)) return false;
  const from = fromHour ?? 0;
  const to = toHour ?? 24;
  if (typeof from !== 'number' || typeof to !== 'number') return false;
  if (from === to) return true;
  return from < to ? hour >= from && hour < to : hour >= from || hour < to;
}
