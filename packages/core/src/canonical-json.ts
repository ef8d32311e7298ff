import { hash } from 'node:crypto';

/**
 * Canonical JSON (RFC 8785 JCS subset): object keys sorted by UTF-16 code units, no
 * whitespace, numbers as `JSON.stringify` writes them (ECMAScript number serialisation, as
 * JCS prescribes). `undefined` members are dropped as JSON does; non-finite numbers throw.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
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
    case 'bigint':
      throw new TypeError('bigint is not JSON');
    case 'object': {
      const maybeJson = value as { toJSON?: () => unknown };
      if (typeof maybeJson.toJSON === 'function') return write(maybeJson.toJSON(), depth + 1);
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          out += item === undefined || typeof item === 'function' ? 'null' : write(item, depth + 1);
        }
        return out + ']';
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      // Objects validated by a schema usually come with their keys in a fixed order, often
      // already sorted: then the sort (and its comparisons) is skipped, and a flat object of
      // strings, finite numbers, booleans and nulls is written by JSON.stringify in one call
      // (the same text: keys in this order, values as JSON writes them).
      if (isSorted(keys)) {
        if (hasOnlyPlainValues(record)) return JSON.stringify(record);
      } else {
        keys.sort();
      }
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined || typeof member === 'function' || typeof member === 'symbol') {
          continue;
        }
        if (!first) out += ',';
        first = false;
        out += JSON.stringify(key) + ':' + write(member, depth + 1);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`${typeof value} is not JSON`);
  }
}

/** True when every member is a string, a finite number, a boolean or null. */
function hasOnlyPlainValues(record: Record<string, unknown>): boolean {
  // for-in reads from the enumeration cache without allocating; keys it sees beyond the own
  // ones (a polluted Object.prototype) can only make this answer false.
  for (const key in record) {
    const member = record[key];
    switch (typeof member) {
      case 'string':
      case 'boolean':
        break;
      case 'number':
        if (!Number.isFinite(member)) return false;
        break;
      case 'object':
        if (member !== null) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True when `keys` are in ascending UTF-16 code unit order (the order `sort()` gives). */
function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/**
 * SHA-256 of the canonical JSON of `value`, base64url without padding. Binds approvals and
 * audit records to exact arguments without keeping them.
 */
export function digestArgs(value: unknown): string {
  // One-shot hash (Node >= 20.12): a third of the cost of a Hash object for small inputs.
  return hash('sha256', canonicalJson(value ?? null), 'base64url');
}
