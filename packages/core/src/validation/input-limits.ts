import type { InputIssue } from '../errors.js';

/** Bounds applied to raw arguments before the schema sees them. */
export interface InputLimits {
  /** Deepest nesting of objects and arrays. Default 32. */
  readonly maxDepth: number;
  /** Longest string (in UTF-16 code units), keys included. Default 65,536. */
  readonly maxStringLength: number;
  /** Longest array. Default 10,000. */
  readonly maxArrayLength: number;
  /** Most keys in one object. Default 1,000. */
  readonly maxObjectKeys: number;
  /** Approximate total size in bytes (strings at UTF-16 length, 8 per number). Default 1 MiB. */
  readonly maxTotalSize: number;
}

/** The defaults of {@link InputLimits}. */
export const DEFAULT_INPUT_LIMITS: InputLimits = Object.freeze({
  maxDepth: 32,
  maxStringLength: 65_536,
  maxArrayLength: 10_000,
  maxObjectKeys: 1_000,
  maxTotalSize: 1_048_576,
});

/** Keys that could reach or replace an object's prototype. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const MAX_ISSUES = 20;

/** One value still to check; its path is written only when an issue names it. */
interface Pending {
  readonly value: unknown;
  readonly depth: number;
  readonly parent: Pending | undefined;
  readonly key: string | number | undefined;
}

/** The JSON path of a pending value (`$.a[0].b`). */
function pathOf(item: Pending): string {
  const keys: (string | number)[] = [];
  for (let at: Pending = item; at.parent !== undefined; at = at.parent) keys.push(at.key!);
  let path = '$';
  for (let i = keys.length - 1; i >= 0; i--) path = appendPath(path, keys[i]!);
  return path;
}

/**
 * Checks raw arguments against `limits` without recursion (a hostile depth cannot overflow the
 * stack) and stops at the first budget exceeded. A cycle shows up as exceeding `maxDepth`;
 * shared references are counted at every place they appear, so the size budget also bounds
 * the work. Returns the issues found (empty when fine);
 * issues name paths and limits, never the values.
 */
export function checkInputLimits(value: unknown, limits: InputLimits): InputIssue[] {
  const issues: InputIssue[] = [];
  let size = 0;
  const stack: Pending[] = [{ value, depth: 0, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const current = item.value;
    if (typeof current === 'string') {
      size += current.length + 2;
      if (current.length > limits.maxStringLength) {
        issues.push({
          path: pathOf(item),
          message: `string longer than ${limits.maxStringLength}`,
        });
      }
    } else if (typeof current === 'number' || typeof current === 'boolean' || current === null) {
      size += 8;
    } else if (typeof current === 'object') {
      if (item.depth >= limits.maxDepth) {
        issues.push({ path: pathOf(item), message: `nested deeper than ${limits.maxDepth}` });
        return issues;
      }
      if (Array.isArray(current)) {
        if (current.length > limits.maxArrayLength) {
          issues.push({
            path: pathOf(item),
            message: `array longer than ${limits.maxArrayLength}`,
          });
          return issues;
        }
        size += 2 + current.length;
        for (let i = current.length - 1; i >= 0; i--) {
          stack.push({ value: current[i], depth: item.depth + 1, parent: item, key: i });
        }
      } else {
        const proto: unknown = Object.getPrototypeOf(current);
        if (proto !== Object.prototype && proto !== null) {
          issues.push({ path: pathOf(item), message: 'not a plain object' });
          return issues;
        }
        // Own keys, including a literal "__proto__" created by JSON.parse.
        const keys = Object.keys(current);
        if (keys.length > limits.maxObjectKeys) {
          issues.push({ path: pathOf(item), message: `more than ${limits.maxObjectKeys} keys` });
          return issues;
        }
        size += 2;
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i]!;
          if (FORBIDDEN_KEYS.has(key)) {
            issues.push({ path: appendPath(pathOf(item), key), message: 'forbidden key' });
            continue;
          }
          if (key.length > limits.maxStringLength) {
            issues.push({
              path: pathOf(item),
              message: `key longer than ${limits.maxStringLength}`,
            });
            return issues;
          }
          size += key.length + 3;
          stack.push({
            value: (current as Record<string, unknown>)[key],
            depth: item.depth + 1,
            parent: item,
            key,
          });
        }
      }
    } else if (current !== undefined) {
      issues.push({ path: pathOf(item), message: `${typeof current} is not JSON` });
    }
    if (size > limits.maxTotalSize) {
      issues.push({ path: '$', message: `larger than ${limits.maxTotalSize} bytes` });
      return issues;
    }
    if (issues.length >= MAX_ISSUES) return issues;
  }
  return issues;
}

/**
 * True when `value` is a plain object whose members are all strings, numbers, booleans, null
 * or undefined, within `limits`: the common shape of tool arguments, for which
 * {@link checkInputLimits} would find nothing. Checked without allocating; anything else (a
 * nested value, an issue) answers false and goes to the full check, which reports.
 */
export function isFlatWithinLimits(value: unknown, limits: InputLimits): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  // for-in reads each member from the enumeration cache, without allocating key lists. It
  // also sees keys inherited from a polluted Object.prototype: they only make this stricter.
  let size = 2;
  let count = 0;
  for (const key in value) {
    if (++count > limits.maxObjectKeys) return false;
    if (FORBIDDEN_KEYS.has(key) || key.length > limits.maxStringLength) return false;
    size += key.length + 3;
    const member = (value as Record<string, unknown>)[key];
    if (typeof member === 'string') {
      if (member.length > limits.maxStringLength) return false;
      size += member.length + 2;
    } else if (typeof member === 'number' || typeof member === 'boolean' || member === null) {
      size += 8;
    } else if (member !== undefined) {
      return false;
    }
  }
  return size <= limits.maxTotalSize;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** JSONPath-style member access; long or odd keys are quoted and cut. */
export function appendPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (IDENTIFIER.test(key) && key.length <= 64) return `${base}.${key}`;
  const shown = key.length > 64 ? `${key.slice(0, 61)}...` : key;
  return `${base}[${JSON.stringify(shown)}]`;
}

/** The JSON path of a schema issue (`$.a[0].b`). */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) out = appendPath(out, typeof key === 'symbol' ? '?' : key);
  return out;
}
