import type { CompiledProfile, CompiledRule, TypeInfo } from './compile.js';
import { formatPath } from './paths.js';
import { hasUnsafe } from './scan.js';

/** What the JSON text pass needs to know of an object key, worked out once per profile. */
export interface KeyInfo {
  readonly key: string;
  /** The profile's key rule for it. */
  readonly rule: CompiledRule | undefined;
  /** The profile's TypeInfo of the rule's type. */
  readonly ruleType: TypeInfo | undefined;
  /** `.key` or `["key"]`: its step in a JSON path. */
  readonly step: string;
  /**
   * `__proto__` or an integer-like key, which JSON.parse and objects do not keep in text
   * order: the pass leaves such objects to the general path.
   */
  readonly reordered: boolean;
  /** The key is `type` (MCP content blocks). */
  readonly isType: boolean;
  /**
   * One bit of 32, the same for every KeyInfo of a key: an object's keys' bits OR-ed together
   * tell which keys it cannot have had yet (see the JSON text pass's duplicate check).
   */
  readonly bit: number;
  /**
   * Whether this KeyInfo is in a slot of the table (a key has at most one that is; a key
   * read with escapes has one that never does).
   */
  inSlot: boolean;
  /**
   * The key that followed this one last time in an object (a guess, checked when used). Set
   * only between KeyInfos in slots and cleared when a KeyInfo leaves the table, so the guesses
   * keep at most one KeyInfo per slot alive besides those in the slots.
   */
  next: KeyInfo | undefined;
}

const SLOTS = 4096;
/** Mixes a key's length into its hash (the hash loop itself does not know the length). */
const HASH_LENGTH_MIX = 0x9e3779b1;
const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;
const tables = new WeakMap<CompiledProfile, (KeyInfo | undefined)[]>();
/** See {@link KeyTable.made}. */
let made = 0;

/** Steps of keys met outside the text pass, shared by every call (bounded). */
const STEPS = new Map<string, string>();

/** `.key` or `["key"]`. */
export function keyStep(key: string): string {
  let step = STEPS.get(key);
  if (step === undefined) {
    step = formatPath([key]).slice(1);
    if (STEPS.size >= SLOTS) STEPS.clear();
    STEPS.set(key, step);
  }
  return step;
}

/**
 * A flat copy of `s` that shares no memory with it. A key read from a JSON text is a slice of
 * that text (V8 keeps a slice of 13 or more characters as a pointer into it): kept in the table
 * and the caches behind it, it would keep the whole response alive, up to 4096 keys times the
 * largest response, and the data in it. (Flat, unlike core's `ownString`, whose copy of a long
 * string is a slice of a copy: keys are compared character by character on every call.)
 */
function flatCopy(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

function infoOf(profile: CompiledProfile, text: string): KeyInfo {
  const key = flatCopy(text);
  const k0 = key.charCodeAt(0);
  const rule = profile.keyRule(key);
  return {
    key,
    rule,
    ruleType: rule === undefined ? undefined : profile.typeInfo(rule.type),
    step: keyStep(key),
    reordered: key === '__proto__' || (k0 >= 48 && k0 <= 57 && INDEX_KEY.test(key)),
    isType: key === 'type',
    bit: keyBit(key),
    inSlot: false,
    next: undefined,
  };
}

/** See {@link KeyInfo.bit}. */
function keyBit(key: string): number {
  let h = key.length;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return 1 << ((h ^ (h >>> 5) ^ (h >>> 10)) & 31);
}

/** Whether `codes[from, to)` are the code units of `key`. */
function sameKey(key: string, codes: Uint16Array, from: number, to: number): boolean {
  if (key.length !== to - from) return false;
  let k = 0;
  while (k < key.length && key.charCodeAt(k) === codes[from + k]) k++;
  return k === key.length;
}

/**
 * The keys a profile has met in JSON texts, found by their code units where they are in the
 * text, so that a key already seen costs neither a string nor a hash lookup. A fixed number of
 * slots: each key may sit in its own slot or the one next to it (see quotedAt).
 */
export class KeyTable {
  readonly #profile: CompiledProfile;
  readonly #slots: (KeyInfo | undefined)[];

  constructor(profile: CompiledProfile) {
    this.#profile = profile;
    let slots = tables.get(profile);
    if (slots === undefined) {
      slots = new Array<KeyInfo | undefined>(SLOTS).fill(undefined);
      tables.set(profile, slots);
    }
    this.#slots = slots;
  }

  /**
   * The key whose opening quote is at `q`, read up to its closing quote in the same loop that
   * hashes it (no separate search for the quote): sets {@link end} to the index of that quote.
   * Undefined when the key holds an escape (the caller reads it the general way), a raw
   * control character or a lone surrogate (never in canonical JSON), or the text ends first.
   */
  quotedAt(
    src: string,
    codes: Uint16Array,
    q: number,
    expected: KeyInfo | undefined,
  ): KeyInfo | undefined {
    const from = q + 1;
    if (expected !== undefined && expected.inSlot) {
      // The key that came next last time (objects of one kind list their keys in one order):
      // when the text holds exactly it, the search below would end at the same quote and find
      // it in the table. (A key in a slot has no quote, backslash or control character.)
      const to = from + expected.key.length;
      if (codes[to] === 34 && sameKey(expected.key, codes, from, to)) {
        this.end = to;
        return expected;
      }
    }
    let h = 0;
    let i = from;
    let c = codes[i]!;
    // `"` is 34, `\` 92; control characters (and the zero units after the text) are below 32.
    while (c !== 34 && c !== 92 && c >= 32) {
      h = (Math.imul(h, 31) + c) | 0;
      c = codes[++i]!;
    }
    if (c !== 34) return undefined;
    this.end = i;
    h = (Math.imul(i - from, HASH_LENGTH_MIX) ^ h) | 0;
    // Two slots per key, its own and its neighbour: keys that share a slot (a few pairs among
    // the keys of one kind of response) would otherwise push each other out on every call.
    const slots = this.#slots;
    const slot = (h ^ (h >>> 13)) & (SLOTS - 1);
    const hit = slots[slot];
    if (hit !== undefined && sameKey(hit.key, codes, from, i)) return hit;
    const other = slots[slot ^ 1];
    if (other !== undefined && sameKey(other.key, codes, from, i)) return other;
    if (hasUnsafe(codes, from, i)) return undefined;
    const info = infoOf(this.#profile, src.slice(from, i));
    // The newest key takes its own slot; the one there moves to the neighbour, whose key
    // leaves the table.
    if (hit !== undefined) {
      if (other !== undefined) {
        other.inSlot = false;
        other.next = undefined;
      }
      slots[slot ^ 1] = hit;
    }
    info.inSlot = true;
    slots[slot] = info;
    made++;
    return info;
  }

  /** Index of the closing quote of the last key {@link quotedAt} read. */
  end = 0;

  /**
   * How many KeyInfos the tables have made so far (every table: those of one profile share
   * their slots, and a call can run inside another). While it stays the same, a key is always
   * the same KeyInfo: two keys are the same string exactly when they are the same object.
   */
  get made(): number {
    return made;
  }

  /** A key read some other way (with escapes). */
  of(key: string): KeyInfo {
    made++;
    return infoOf(this.#profile, key);
  }
}
