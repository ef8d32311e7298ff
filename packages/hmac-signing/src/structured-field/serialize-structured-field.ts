import { StructuredFieldError } from './structured-field-error.js';
import {
  SfDate,
  SfDecimal,
  SfToken,
  isInnerList,
  type SfDisplayString,
  type SfBareItem,
  type SfDictionary,
  type SfInnerList,
  type SfItem,
  type SfMember,
  type SfParameters,
} from './types.js';

const KEY = /^[a-z*][a-z0-9_\-.*]*$/;
const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/;

/**
 * Serialises a Dictionary (RFC 8941 §4.1.2).
 *
 * @example
 * serializeDictionary(new Map([['sig', { value: new Uint8Array([1]), params: new Map() }]]));
 */
export function serializeDictionary(dictionary: SfDictionary): string {
  const parts: string[] = [];
  for (const [key, member] of dictionary) {
    const k = serializeKey(key);
    if (!isInnerList(member) && member.value === true) {
      parts.push(k + serializeParameters(member.params));
    } else {
      parts.push(`${k}=${serializeMember(member)}`);
    }
  }
  return parts.join(', ');
}

/** Serialises an Item or an Inner List. */
export function serializeMember(member: SfMember): string {
  return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
}

/**
 * Serialises an Inner List (RFC 8941 §4.1.1.1): the form of `@signature-params`.
 *
 * @example
 * serializeInnerList({ items: [{ value: '@method', params: new Map() }], params: new Map([['created', 1]]) });
 * // '("@method");created=1'
 */
export function serializeInnerList(list: SfInnerList): string {
  let out = '(';
  for (let i = 0; i < list.items.length; i++) {
    if (i > 0) out += ' ';
    out += serializeItem(list.items[i]!);
  }
  return out + ')' + serializeParameters(list.params);
}

/** Serialises an Item (RFC 8941 §4.1.3). */
export function serializeItem(item: SfItem): string {
  return serializeBareItem(item.value) + serializeParameters(item.params);
}

/** Serialises Parameters (RFC 8941 §4.1.1.2). */
export function serializeParameters(params: SfParameters): string {
  let out = '';
  for (const [key, value] of params) {
    out += ';' + serializeKey(key);
    if (value !== true) out += '=' + serializeBareItem(value);
  }
  return out;
}

/** Serialises a bare item (RFC 8941 §4.1.3.1, RFC 9651 dates and display strings). */
export function serializeBareItem(value: SfBareItem): string {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) > 999_999_999_999_999) {
      throw new StructuredFieldError('not_serialisable', 'integer out of range');
    }
    return String(value);
  }
  if (typeof value === 'string') return serializeString(value);
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (value instanceof Uint8Array) {
    return `:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}:`;
  }
  if (value instanceof SfToken) {
    if (!TOKEN.test(value.value)) throw new StructuredFieldError('not_serialisable', 'bad token');
    return value.value;
  }
  if (value instanceof SfDecimal) return serializeDecimal(value.value);
  if (value instanceof SfDate) return '@' + serializeBareItem(value.seconds);
  return serializeDisplayString(value);
}

/** Serialises a String with `"` and `\` escaped; refuses characters outside printable ASCII. */
export function serializeString(value: string): string {
  let escapes = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new StructuredFieldError('not_serialisable', 'bad string');
    if (c === 0x22 || c === 0x5c) escapes = true;
  }
  return escapes ? `"${value.replace(/["\\]/g, '\\$&')}"` : `"${value}"`;
}

function serializeKey(key: string): string {
  if (!KEY.test(key)) throw new StructuredFieldError('not_serialisable', 'bad key');
  return key;
}

function serializeDecimal(value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  if (!Number.isFinite(rounded) || Math.abs(Math.trunc(rounded)) > 999_999_999_999) {
    throw new StructuredFieldError('not_serialisable', 'decimal out of range');
  }
  const text = String(rounded);
  return text.includes('.') ? text : `${text}.0`;
}

function serializeDisplayString(value: SfDisplayString): string {
  let out = '%"';
  for (const byte of Buffer.from(value.value, 'utf8')) {
    if (byte === 0x25 || byte === 0x22 || byte < 0x20 || byte > 0x7e) {
      out += '%' + byte.toString(16).padStart(2, '0');
    } else out += String.fromCharCode(byte);
  }
  return out + '"';
}
