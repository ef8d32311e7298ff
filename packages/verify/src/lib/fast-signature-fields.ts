import type { SfBareItem, SfParameters } from '@agentguard/hmac-signing';
import { ownString } from './own-string.js';

/** A signature input read by the fast path. */
export interface FastSignatureInput {
  readonly names: readonly string[];
  readonly params: SfParameters;
  /** The member value as received; canonical by construction of the pattern below. */
  readonly serialized: string;
}

// The canonical RFC 8941 form a single-member Signature-Input takes when every component is a
// bare lowercase name and parameters are integers or strings without `"`, `\` or `;`: one
// space between items, no whitespace elsewhere, integers without leading zeros. Exactly what
// the signer emits. Anything else goes through the strict general parser, so the fast path
// accepts nothing the parser would refuse, and its text is already the serialisation the
// signature base needs.
const NAME = /^"[a-z0-9@!#$%&'*+\-.^_`|~]+"$/;
const PARAM =
  /^[a-z*][a-z0-9_\-.*]*=(?:0|[1-9][0-9]{0,14}|"[\x20\x21\x23-\x3a\x3c-\x5b\x5d-\x7e]*")$/;
const listCache = new Map<string, readonly string[]>();

/** Reads `label=(…);…` when the field holds only that member in canonical form. */
export function fastSignatureInput(field: string, label: string): FastSignatureInput | undefined {
  const start = label.length + 1;
  if (
    field.length <= start + 1 ||
    field.charCodeAt(label.length) !== 0x3d ||
    field.charCodeAt(start) !== 0x28 ||
    !field.startsWith(label)
  ) {
    return undefined;
  }
  const close = field.indexOf(')', start);
  if (close < 0) return undefined;
  const list = field.slice(start + 1, close);
  let names = listCache.get(list);
  if (names === undefined) {
    const parsed: string[] = [];
    if (list !== '') {
      const items = list.split(' ');
      if (items.length > 64) return undefined;
      for (const item of items) {
        if (!NAME.test(item)) return undefined;
        parsed.push(ownString(item.slice(1, -1)));
      }
    }
    // A signer sends the same component list on every request: remember a few (bounded).
    if (listCache.size >= 64) listCache.clear();
    names = Object.freeze(parsed);
    // Copies, in the key and the names: they would keep the whole header alive in the cache.
    listCache.set(ownString(list), names);
  }
  const params = new Map<string, SfBareItem>();
  if (close + 1 < field.length) {
    if (field.charCodeAt(close + 1) !== 0x3b) return undefined;
    const parts = field.slice(close + 2).split(';');
    if (parts.length > 16) return undefined;
    for (const part of parts) {
      if (!PARAM.test(part)) return undefined;
      const eq = part.indexOf('=');
      const key = part.slice(0, eq);
      if (params.has(key)) return undefined;
      params.set(
        key,
        part.charCodeAt(eq + 1) === 0x22 ? part.slice(eq + 2, -1) : Number(part.slice(eq + 1)),
      );
    }
  }
  return { names, params, serialized: field.slice(start) };
}
/** Reads `label=:base64:` when the field holds only that member. */
export function fastSignature(field: string, label: string): Uint8Array | undefined {
  const start = label.length + 2;
  const end = field.length - 1;
  if (
    end <= start ||
    field.charCodeAt(label.length) !== 0x3d ||
    field.charCodeAt(start - 1) !== 0x3a ||
    field.charCodeAt(end) !== 0x3a ||
    (end - start) % 4 !== 0 ||
    !field.startsWith(label)
  ) {
    return undefined;
  }
  for (let i = start; i < end; i++) {
    const c = field.charCodeAt(i);
    const base64 =
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2b ||
      c === 0x2f ||
      (c === 0x3d && i >= end - 2 && (i === end - 1 || field.charCodeAt(end - 1) === 0x3d));
    if (!base64) return undefined;
  }
  return Buffer.from(field.slice(start, end), 'base64');
}
