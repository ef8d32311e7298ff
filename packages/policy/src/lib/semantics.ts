// The value semantics of json-logic-js 2.0.5, written out so the compiler can call them
// directly. Every function mirrors the library's behaviour (JavaScript coercions included),
// except where safety requires otherwise (documented at each place).

/** json-logic truthiness: JavaScript's, except that an empty array is falsy. */
export function truthy(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.length !== 0;
  return Boolean(value);
}

/** Path segments `var` may never follow: they lead to prototypes and constructors. */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/** Thrown when a rule meets a value at run time that json-logic-js would also fail on. */
export class JsonLogicRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonLogicRuntimeError';
  }
}

/**
 * Reads one property the way json-logic-js does, but only an own, non-function property:
 * `undefined` when absent, `null` when the property is inherited, a function, or forbidden.
 */
export function readOwn(data: unknown, key: string): unknown {
  // Callers check null / undefined first.
  const value = (data as Record<string, unknown>)[key];
  if (value === undefined) return undefined;
  if (typeof value === 'function' || !Object.hasOwn(data as object, key)) return null;
  return value;
}

/** `var` with a path computed at run time. */
export function varLookup(data: unknown, path: unknown, notFound: unknown): unknown {
  if (path === undefined || path === '' || path === null) return data;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- json-logic-js's String(path).
  const segments = String(path).split('.');
  let current = data;
  for (const segment of segments) {
    if (current === null || current === undefined) return notFound;
    if (FORBIDDEN_SEGMENTS.has(segment)) return null;
    current = readOwn(current, segment);
    if (current === undefined) return notFound;
  }
  return current;
}

/**
 * Compiled `var` for a literal path: returns `undefined` when the path is not found (the
 * caller substitutes the default), like {@link varLookup} otherwise.
 */
export function compileVarPath(segments: readonly string[]): (data: unknown) => unknown {
  if (segments.length === 1) {
    const [a] = segments as [string];
    return (data) => (data === null || data === undefined ? undefined : readOwn(data, a));
  }
  if (segments.length === 2) {
    const [a, b] = segments as [string, string];
    return (data) => {
      if (data === null || data === undefined) return undefined;
      const v = readOwn(data, a);
      return v === undefined || v === null ? undefined : readOwn(v, b);
    };
  }
  return (data) => {
    let current = data;
    for (const segment of segments) {
      if (current === null || current === undefined) return undefined;
      current = readOwn(current, segment);
      if (current === undefined) return undefined;
    }
    return current;
  };
}

function isLogic(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1
  );
}

/**
 * What json-logic-js does when it re-applies a value that is already data (inside `missing`
 * and `missing_some`): arrays are mapped, other values pass through. json-logic-js would run a
 * one-key object as a rule; data is never run as code here, so that is refused.
 */
function reapply(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reapply);
  if (isLogic(value)) throw new JsonLogicRuntimeError('data cannot be used as a rule');
  return value;
}

/** `{"var": key}` applied to an already evaluated key, as `missing` does. */
function varOfKey(data: unknown, key: unknown): unknown {
  if (Array.isArray(key)) {
    const values = key.map(reapply);
    return varLookup(data, values[0], values[1] === undefined ? null : values[1]);
  }
  if (isLogic(key)) throw new JsonLogicRuntimeError('data cannot be used as a rule');
  return varLookup(data, key, null);
}

/** `missing`: the keys whose value is null, absent or the empty string. */
export function missing(data: unknown, args: readonly unknown[]): unknown[] {
  const keys: readonly unknown[] = Array.isArray(args[0]) ? args[0] : args;
  const out: unknown[] = [];
  for (const key of keys) {
    const value = varOfKey(data, key);
    if (value === null || value === '') out.push(key);
  }
  return out;
}

/** `missing_some`: [] when at least `need` of `options` are present, else the missing ones. */
export function missingSome(data: unknown, need: unknown, options: unknown): unknown {
  const reapplied = reapply(options);
  const values: readonly unknown[] = Array.isArray(options)
    ? (reapplied as unknown[])
    : [reapplied];
  const areMissing = missing(data, values);
  if (options === null || options === undefined) {
    throw new JsonLogicRuntimeError('missing_some needs a list of keys');
  }
  const length =
    typeof options === 'string' || Array.isArray(options)
      ? options.length
      : readOwn(options, 'length');
  return (length as number) - areMissing.length >= (need as number) ? [] : areMissing;
}

/** `in`: substring test on strings, strict membership on arrays, false otherwise. */
export function inOp(a: unknown, b: unknown): boolean {
  if (typeof b === 'string') return b.indexOf(String(a)) !== -1;
  if (Array.isArray(b)) return b.indexOf(a) !== -1;
  if (!b) return false;
  if (typeof b === 'object' && Object.hasOwn(b, 'indexOf')) {
    // json-logic-js would call it; data has no methods, so it would throw there too.
    throw new JsonLogicRuntimeError('in: not a string or an array');
  }
  return false;
}

function toIntegerOrInfinity(value: unknown): number {
  const n = Number(value);
  if (Number.isNaN(n) || n === 0) return 0;
  if (!Number.isFinite(n)) return n;
  return Math.trunc(n);
}

/** `String.prototype.substr` (Annex B), written out. */
function substrOf(s: string, start: unknown, length: unknown): string {
  const size = s.length;
  let from = toIntegerOrInfinity(start);
  if (from === Number.NEGATIVE_INFINITY) from = 0;
  else if (from < 0) from = Math.max(size + from, 0);
  else from = Math.min(from, size);
  const wanted = length === undefined ? size : toIntegerOrInfinity(length);
  const count = Math.min(Math.max(wanted, 0), size - from);
  return count <= 0 ? '' : s.slice(from, from + count);
}

/** `substr` with PHP-like negative lengths. */
export function substr(source: unknown, start: unknown, end: unknown): string {
  if ((end as number) < 0) {
    const temp = substrOf(String(source), start, undefined);
    return substrOf(temp, 0, temp.length + (end as number));
  }
  return substrOf(String(source), start, end);
}

/** `+`: sum of `parseFloat` of every argument. */
export function plus(args: readonly unknown[]): number {
  let sum = 0;
  for (const value of args) sum = sum + Number.parseFloat(value as string);
  return sum;
}

/** `*`: json-logic-js reduces without an initial value (one argument is returned as is). */
export function times(args: readonly unknown[]): unknown {
  if (args.length === 0) throw new JsonLogicRuntimeError('*: no arguments');
  let acc: unknown = args[0];
  for (let i = 1; i < args.length; i += 1) {
    acc = Number.parseFloat(acc as string) * Number.parseFloat(args[i] as string);
  }
  return acc;
}

/** `merge`: flattens one level. */
export function merge(args: readonly unknown[]): unknown[] {
  let out: unknown[] = [];
  for (const value of args) out = out.concat(value);
  return out;
}

/** `cat`: joins the string forms (null and undefined become ''). */
export function cat(args: readonly unknown[]): string {
  return args.join('');
}
