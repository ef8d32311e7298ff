import { MaskingRejectedError } from '../errors.js';
import type { CompiledProfile, CompiledRule, MaskerPlan, TypeInfo } from './compile.js';
import type { TenantKeys } from './keyring.js';
import { decodeCanonical } from './json-string.js';
import { hasDuplicateKeys } from './duplicate-keys.js';
import { KeyTable, keyStep, type KeyInfo } from './key-table.js';
import { formatPath, matchPath } from './paths.js';
import type { Match } from './match.js';
import { holdCharCodes, releaseCharCodes } from './char-codes.js';
import { hasUnsafe, scanQuoted, scanText, swapUnsafe, unsafeAt } from './scan.js';
import { partialMask, type CompiledStrategy } from './strategy.js';

/** Marks a value to drop from its object or array. */
const REMOVE = Symbol('remove');
type Out = unknown;

const MAX_PATHS = 1000;
const COMMON = ['type', 'annotations', '_meta'];
const MCP_BLOCK_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  text: new Set([...COMMON, 'text']),
  image: new Set([...COMMON, 'data', 'mimeType']),
  audio: new Set([...COMMON, 'data', 'mimeType']),
  resource: new Set([...COMMON, 'resource']),
  resource_link: new Set([
    ...COMMON,
    'uri',
    'name',
    'title',
    'description',
    'mimeType',
    'size',
    'icons',
  ]),
};
const MCP_TEXT_MIME =
  /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|yaml|x-yaml|javascript|x-ndjson|csv|sql|graphql)\b)/i;

/** Thrown inside the JSON text pass when only the general path can give the exact result. */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp('not canonical json');
/** Whether JSON.stringify escapes (or may: surrogates) a character of `text`. */
function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 92 || c < 32 || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** Whether a match starts or ends between the two halves of a surrogate pair. */
function splitsPair(s: string, matches: readonly Match[]): boolean {
  for (const m of matches) {
    const a = s.charCodeAt(m.start);
    const b = s.charCodeAt(m.end);
    if ((a >= 0xdc00 && a <= 0xdfff) || (b >= 0xdc00 && b <= 0xdfff)) return true;
  }
  return false;
}

/** {@link splitsPair} on the code units of the string. */
function splitsPairIn(codes: Uint16Array, matches: readonly Match[]): boolean {
  for (const m of matches) {
    const a = codes[m.start]!;
    const b = codes[m.end]!;
    if ((a >= 0xdc00 && a <= 0xdfff) || (b >= 0xdc00 && b <= 0xdfff)) return true;
  }
  return false;
}

const TYPE_KEY = '"type":"';
const TYPE_TAIL = 'pe":"';
/**
 * Texts from this length on are searched for MCP blocks whose `type` comes later before the
 * pass (see #jsonText); shorter ones find them as they are read.
 */
const SEARCH_BLOCKS_FROM = 65_536;
/** What follows `"type":"text"` in a text block that has nothing else. */
const TEXT_FIELD = ',"text":"';
const EMPTY_CODES = new Uint16Array(0);

/** First non-blank character of `s[from, to)` opens an object or array. */
function looksLikeJson(s: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return c === 123 || c === 91;
    i++;
  }
  return false;
}

/** JSON text of replacement strings (they repeat: labels, pseudonyms of common values). */
const JSON_TEXTS = new Map<string, string>();

/** `JSON.stringify(text)`, remembered for short texts. */
function jsonOf(text: string): string {
  if (text.length > 64) return JSON.stringify(text);
  let json = JSON_TEXTS.get(text);
  if (json === undefined) {
    json = JSON.stringify(text);
    if (JSON_TEXTS.size >= 1024) JSON_TEXTS.clear();
    JSON_TEXTS.set(text, json);
  }
  return json;
}

/** `[0]` … `[255]`: path steps of array indexes. */
const INDEX_STEPS = Array.from({ length: 256 }, (_, i) => `[${i}]`);

/** Stamp of the last count of findings per type (see Walk#tally). */
let countStamp = 0;

/** An idle Walk per masker plan (see keepShapes). */
const IDLE = new WeakMap<MaskerPlan, Walk>();

/**
 * Keeps one idle Walk (and with it a KeyTable) alive for as long as `plan` is. V8 holds the
 * hidden class of an object's final shape only through objects that have it: were no Walk alive
 * at a full garbage collection, the class would be collected and every optimized function
 * that checks for it thrown away, to be re-optimized over the next calls (measured before
 * this: the first 640 calls after each full collection ran at ~2.3x their cost).
 */
export function keepShapes(plan: MaskerPlan): void {
  if (!IDLE.has(plan)) IDLE.set(plan, new Walk(plan, plan.profileFor([]), '*'));
}

/** Counts and paths of one masking call. */
export interface Tally {
  total: number;
  readonly byCategory: Record<string, number>;
  readonly paths: readonly string[];
}

/** Masks one value for one call. */
export class Walk {
  readonly #plan: MaskerPlan;
  readonly #profile: CompiledProfile;
  readonly #tenantId: string;
  #keys: TenantKeys | null | undefined = null;
  readonly #stack: (string | number)[] = [];
  /** Objects being walked (cycles); made when the first object is walked. */
  #active: Set<object> | undefined;
  readonly #pathTexts: string[] = ['$'];
  /**
   * KeyInfo of the key at each depth of #stack, where the JSON text pass put one (it may be
   * stale: used only when its key is the one on the stack).
   */
  readonly #stackKeys: (KeyInfo | undefined)[] = [];
  /**
   * Id of the path at each depth (0 for `$`): a path gets a new id each time it is formatted
   * anew, so two findings with the same id are at the same path, and one with an id above
   * every recorded one is at a path not recorded yet. That holds because a walk never enters
   * a step it has left again (entering it again would give it a new id, and record its path
   * twice), except when a JSON text pass is undone (#undo forgets what it recorded) and the
   * general path walks the same value.
   */
  readonly #pathIds: number[] = [0];
  #nextPathId = 1;
  /** Ids of #paths, in the same order, and the highest of them. */
  readonly #pathIdList: number[] = [];
  #maxPathId = -1;
  #lastPathId = -1;
  readonly #keyTable: KeyTable;
  /**
   * Keys of the objects the JSON text pass is in, outermost first, up to #memberTop (to refuse
   * duplicates; what lies above #memberTop is stale).
   */
  readonly #memberKeys: KeyInfo[] = [];
  #memberTop = 0;
  /**
   * Types recorded so far, in order (the counts are taken from it at the end, and a JSON text
   * pass is undone by cutting it).
   */
  readonly #log: TypeInfo[] = [];
  readonly #paths: string[] = [];
  /**
   * How many of #pathTexts (after `$`) are the texts of the current path's first steps: entering
   * a step at depth d leaves those up to depth d.
   */
  #pathsValid = 0;
  // State of the JSON text pass (see #jsonText); saved and restored around nested passes.
  #src = '';
  /** Code units of #src (char-codes.ts). */
  #codes: Uint16Array = EMPTY_CODES;
  #pos = 0;
  #out = '';
  #last = 0;
  #edited = false;
  #nextEscape = -1;
  #escaped = false;

  constructor(plan: MaskerPlan, profile: CompiledProfile, tenantId: string) {
    this.#plan = plan;
    this.#profile = profile;
    this.#tenantId = tenantId;
    this.#keyTable = new KeyTable(profile);
  }

  /** Counts and paths of what was masked. */
  get tally(): Tally {
    // Counted on the types' own objects (fewer keyed writes than counting in byCategory), in
    // the order the types were first recorded, which is byCategory's key order.
    const stamp = ++countStamp;
    const order: TypeInfo[] = [];
    for (const info of this.#log) {
      if (info.countStamp !== stamp) {
        info.countStamp = stamp;
        info.count = 0;
        order.push(info);
      }
      info.count++;
    }
    // Type names are upper-case identifiers (compile.ts), never `__proto__`.
    const byCategory: Record<string, number> = {};
    // (Added up: a type past the profile's cache limit has more than one TypeInfo.)
    for (const info of order) byCategory[info.type] = (byCategory[info.type] ?? 0) + info.count;
    return { total: this.#log.length, byCategory, paths: this.#paths };
  }

  run(value: unknown): unknown {
    const out = this.#value(value, 0);
    return out === REMOVE ? null : out;
  }

  #record(info: TypeInfo): void {
    this.#log.push(info);
    if (this.#paths.length < MAX_PATHS) {
      const id = this.#path();
      if (id !== this.#lastPathId && (id > this.#maxPathId || !this.#knownPath(id))) {
        this.#paths.push(this.#pathTexts[this.#stack.length]!);
        this.#pathIdList.push(id);
        if (id > this.#maxPathId) this.#maxPathId = id;
      }
      this.#lastPathId = id;
    }
  }

  /** Whether the path with id `id` (formatted before) is in #paths already. */
  #knownPath(id: number): boolean {
    return this.#pathIdList.includes(id);
  }

  /** Pushes `step` onto the path (#stack), marking the path texts deeper than it stale. */
  #enter(step: string | number): void {
    const depth = this.#stack.length;
    if (this.#pathsValid > depth) this.#pathsValid = depth;
    this.#stack.push(step);
  }

  /**
   * Formats the current path (into #pathTexts at the stack's depth) and returns its id. The
   * texts of the path's first steps are kept while the walk stays below them (see #enter), so a
   * finding next to the previous one formats only the steps that differ.
   */
  #path(): number {
    const stack = this.#stack;
    const texts = this.#pathTexts;
    const ids = this.#pathIds;
    const depth = stack.length;
    for (let d = this.#pathsValid; d < depth; d++) {
      const step = stack[d]!;
      let text: string;
      if (typeof step === 'number')
        text = step < INDEX_STEPS.length ? INDEX_STEPS[step]! : `[${step}]`;
      else {
        const info = this.#stackKeys[d];
        text = info !== undefined && info.key === step ? info.step : keyStep(step);
      }
      texts[d + 1] = texts[d]! + text;
      ids[d + 1] = this.#nextPathId++;
    }
    this.#pathsValid = depth;
    return ids[depth]!;
  }

  #tenantKeys(): TenantKeys | undefined {
    if (this.#keys === null) {
      this.#keys = this.#plan.keyring?.current(this.#tenantId);
      if (this.#keys === undefined) {
        this.#plan.logger.warn('no masking key for tenant: redacting instead', {
          tenantId: this.#tenantId,
        });
      }
    }
    return this.#keys;
  }

  /** The replacement of one sensitive value (never REMOVE: callers decide about removal). */
  #replace(value: string, type: string, strategy: CompiledStrategy): string {
    switch (strategy.kind) {
      case 'partial':
        return partialMask(value, strategy);
      case 'hash': {
        const keys = this.#tenantKeys();
        if (keys === undefined) return `[${type}]`;
        const normal = type === 'EMAIL' ? value.trim().toLowerCase() : value.trim();
        return `[${type}:${this.#plan.keyring!.pseudonym(keys, type, normal)}]`;
      }
      case 'tokenize': {
        const keys = this.#tenantKeys();
        if (keys === undefined) return `[${type}]`;
        return this.#plan.keyring!.seal(keys, this.#tenantId, type, value);
      }
      case 'redact':
        return strategy.label ?? this.#profile.typeInfo(type).bracket;
      default:
        return this.#profile.typeInfo(type).bracket;
    }
  }

  #value(value: unknown, depth: number): Out {
    if (typeof value === 'string') return this.#string(value, depth, true);
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 1e11) {
        const text = String(value);
        const masked = this.#text(text, true);
        return masked === text ? value : masked;
      }
      return value;
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date)
      return value;
    if (depth >= this.#plan.maxDepth) {
      this.#record(this.#profile.typeInfo('MAX_DEPTH'));
      return '[MAX_DEPTH]';
    }
    const active = (this.#active ??= new Set());
    if (active.has(value)) return '[CIRCULAR]';
    active.add(value);
    try {
      return Array.isArray(value)
        ? this.#array(value, depth)
        : this.#object(value as Record<string, unknown>, depth);
    } finally {
      active.delete(value);
    }
  }

  #array(arr: readonly unknown[], depth: number): Out {
    let copy: unknown[] | undefined;
    for (let i = 0; i < arr.length; i++) {
      const item = arr[i];
      this.#enter(i);
      const rule = this.#profile.pathRules.length > 0 ? this.#pathRule() : undefined;
      const out =
        rule === undefined ? this.#value(item, depth + 1) : this.#whole(item, rule, depth + 1);
      this.#stack.pop();
      if (out !== item && copy === undefined) copy = arr.slice(0, i);
      if (copy !== undefined && out !== REMOVE) copy.push(out);
    }
    return copy ?? arr;
  }

  #pathRule(): CompiledRule | undefined {
    for (const p of this.#profile.pathRules) if (matchPath(p.segments, this.#stack)) return p.rule;
    return undefined;
  }

  #object(obj: Record<string, unknown>, depth: number): Out {
    const type = obj['type'];
    if (typeof type === 'string') {
      const block = this.#mcpBlock(obj, type, depth);
      if (block !== undefined) return block;
    }
    let copy: Record<string, unknown> | undefined;
    const keys = Object.keys(obj);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = obj[key];
      this.#enter(key);
      const rule =
        (this.#profile.pathRules.length > 0 ? this.#pathRule() : undefined) ??
        this.#profile.keyRule(key);
      const out =
        rule === undefined ? this.#value(item, depth + 1) : this.#whole(item, rule, depth + 1);
      this.#stack.pop();
      if (out !== item && copy === undefined) {
        copy = {};
        for (let k = 0; k < i; k++) copy[keys[k]!] = obj[keys[k]!];
      }
      if (copy !== undefined && out !== REMOVE) copy[key] = out;
    }
    return copy ?? obj;
  }

  /** MCP content blocks: mask the text they carry, leave binary data and metadata alone. */
  #mcpBlock(obj: Record<string, unknown>, type: string, depth: number): Out {
    if (!Object.hasOwn(MCP_BLOCK_KEYS, type)) return undefined;
    const allowed = MCP_BLOCK_KEYS[type]!;
    for (const key in obj) if (!allowed.has(key)) return undefined;
    if (type === 'text' && typeof obj['text'] === 'string') {
      return this.#only(obj, ['text'], depth);
    }
    if ((type === 'image' || type === 'audio') && typeof obj['data'] === 'string') return obj;
    if (type === 'resource_link' && typeof obj['uri'] === 'string') {
      return this.#only(obj, ['uri', 'title', 'description'], depth, true);
    }
    if (type === 'resource' && typeof obj['resource'] === 'object' && obj['resource'] !== null) {
      const resource = obj['resource'] as Record<string, unknown>;
      this.#enter('resource');
      const masked = this.#resource(resource, depth + 1);
      this.#stack.pop();
      return masked === resource ? obj : { ...obj, resource: masked };
    }
    return undefined;
  }

  #only(
    obj: Record<string, unknown>,
    fields: readonly string[],
    depth: number,
    textOnly = false,
  ): Out {
    let copy: Record<string, unknown> | undefined;
    for (const field of fields) {
      const item = obj[field];
      if (typeof item !== 'string') continue;
      this.#enter(field);
      const out = textOnly ? this.#text(item, false) : this.#string(item, depth + 1, false);
      this.#stack.pop();
      if (out !== item) {
        copy ??= { ...obj };
        copy[field] = out;
      }
    }
    return copy ?? obj;
  }

  #resource(resource: Record<string, unknown>, depth: number): Out {
    let out = this.#only(resource, ['text'], depth) as Record<string, unknown>;
    out = this.#only(out, ['uri'], depth, true) as Record<string, unknown>;
    const blob = resource['blob'];
    const mime = resource['mimeType'];
    if (typeof blob === 'string' && typeof mime === 'string' && MCP_TEXT_MIME.test(mime)) {
      if (blob.length > this.#plan.maxStringLength) {
        this.#enter('blob');
        const masked = this.#oversized();
        this.#stack.pop();
        return { ...out, blob: Buffer.from(masked).toString('base64') };
      }
      const text = Buffer.from(blob, 'base64').toString('utf8');
      this.#enter('blob');
      const masked = this.#string(text, depth + 1, false);
      this.#stack.pop();
      if (masked !== text) out = { ...out, blob: Buffer.from(String(masked)).toString('base64') };
    }
    return out;
  }

  #oversized(): string {
    if (this.#plan.oversized === 'reject') throw new MaskingRejectedError(formatPath(this.#stack));
    this.#record(this.#profile.typeInfo('OVERSIZED'));
    return '[OVERSIZED]';
  }

  /** A string: JSON inside it is parsed and walked; anything else is scanned as text. */
  #string(s: string, depth: number, removable: boolean): Out {
    if (s.length > this.#plan.maxStringLength) return this.#oversized();
    if (this.#plan.parseJsonStrings && s.length >= 2) {
      const direct = this.#jsonText(s, depth + 1);
      if (direct !== undefined) return direct;
      const parsed = parseJsonText(s);
      if (parsed !== undefined) {
        const masked = this.#value(parsed, depth + 1);
        // Unchanged: the text as it came, unless a repeated key hides values in it that
        // parsing dropped (and so did not mask); then the text of what was parsed.
        if (masked === parsed && !hasDuplicateKeys(s)) return s;
        return JSON.stringify(masked === REMOVE ? null : masked, null, indentOf(s));
      }
    }
    return this.#text(s, removable);
  }

  #text(s: string, removable: boolean): Out {
    const matches = scanText(s, this.#profile.scanner);
    return matches === undefined ? s : this.#apply(s, matches, 0, removable);
  }

  /** Replaces `matches` (offsets minus `offset` are positions in `s`), recording each. */
  #apply(s: string, matches: readonly Match[], offset: number, removable: boolean): Out {
    let out = '';
    let last = 0;
    for (const m of matches) {
      const start = m.start - offset;
      const end = m.end - offset;
      const info = this.#profile.typeInfo(m.type);
      const strategy = info.strategy;
      this.#record(info);
      if (strategy.kind === 'remove' && removable && start === 0 && end === s.length) return REMOVE;
      out += s.slice(last, start) + this.#replace(s.slice(start, end), m.type, strategy);
      last = end;
    }
    return out + s.slice(last);
  }

  /** A value masked whole because of where it is (a field rule). */
  #whole(value: unknown, rule: CompiledRule, depth: number): Out {
    const info = this.#profile.typeInfo(rule.type);
    const strategy = rule.strategy ?? info.strategy;
    if (value === null || value === undefined || typeof value === 'boolean' || value === '')
      return value;
    if (strategy.kind === 'remove') {
      this.#record(info);
      return REMOVE;
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
      const text = String(value);
      if (text.length > this.#plan.maxStringLength) return this.#oversized();
      this.#record(info);
      return this.#replace(text, rule.type, strategy);
    }
    if (typeof value !== 'object') return value;
    if (depth >= this.#plan.maxDepth) {
      this.#record(this.#profile.typeInfo('MAX_DEPTH'));
      return '[MAX_DEPTH]';
    }
    const active = (this.#active ??= new Set());
    if (active.has(value)) return '[CIRCULAR]';
    active.add(value);
    try {
      if (Array.isArray(value)) {
        return value.map((item: unknown, i) => {
          this.#enter(i);
          const out = this.#whole(item, rule, depth + 1);
          this.#stack.pop();
          return out === REMOVE ? null : out;
        });
      }
      if (value instanceof Date) {
        this.#record(info);
        return this.#replace(value.toISOString(), rule.type, strategy);
      }
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        this.#enter(key);
        copy[key] = this.#whole(item, rule, depth + 1);
        this.#stack.pop();
      }
      return copy;
    } finally {
      active.delete(value);
    }
  }

  // ---- JSON text pass ----------------------------------------------------------------------
  //
  // A string holding compact JSON (what JSON.stringify writes, as tool results usually are) is
  // masked in place: one pass over its tokens scans the strings where they are (no string is
  // built unless it changes) and rewrites only the values that change, with the same
  // rules, order, findings and paths as parsing, walking and re-serialising it. Anything that
  // JSON.stringify would not have written byte for byte (whitespace, escapes it would write
  // differently, non-canonical numbers, duplicate or integer-like keys, lone surrogates) makes
  // the pass give up, undo what it recorded, and leave the string to the general path.

  /** The masked text, or undefined when the general path must handle `s`. */
  #jsonText(s: string, depth: number): string | undefined {
    const first = s.charCodeAt(0);
    const last = s.charCodeAt(s.length - 1);
    if (
      !((first === 123 && last === 125) || (first === 91 && last === 93)) ||
      this.#profile.scanner.custom.length > 0
    ) {
      return undefined;
    }
    // An MCP content block whose `type` is not its first member sends the whole text to the
    // general path (see #tObject), which the pass finds out when it reads that `type`: in a
    // long text, after perhaps most of the work. There, the text is searched for one first
    // (for the tail of `"type":"`, then its head: several times faster than a search for the
    // whole of it, whose first character is everywhere in JSON); a short one is not, as the
    // search would cost more than the work it could save.
    if (s.length >= SEARCH_BLOCKS_FROM && hasLaterTypedBlock(s)) return undefined;
    const saved = [
      this.#src,
      this.#codes,
      this.#pos,
      this.#out,
      this.#last,
      this.#edited,
      this.#nextEscape,
    ] as const;
    const logLength = this.#log.length;
    const pathCount = this.#paths.length;
    const stackDepth = this.#stack.length;
    const keysDepth = this.#memberTop;
    // Raw control characters (invalid in JSON) and lone surrogates (JSON.stringify escapes
    // them) send the text to the general path: the scans of the pass note them, and the parts
    // it does not scan are checked where they are read.
    const unsafeBefore = swapUnsafe(-1);
    const codes = holdCharCodes(s);
    this.#src = s;
    this.#codes = codes;
    this.#pos = 0;
    this.#out = '';
    this.#last = 0;
    this.#edited = false;
    this.#nextEscape = s.indexOf('\\');
    try {
      this.#tValue(depth);
      if (this.#pos !== s.length || unsafeAt() !== -1) throw GIVE_UP;
      return this.#textResult();
    } catch (error) {
      if (error !== GIVE_UP) throw error;
      this.#undo(logLength, pathCount);
      this.#stack.length = stackDepth;
      return undefined;
    } finally {
      this.#memberTop = keysDepth;
      releaseCharCodes(codes);
      swapUnsafe(unsafeBefore);
      [this.#src, this.#codes, this.#pos, this.#out, this.#last, this.#edited, this.#nextEscape] =
        saved;
    }
  }

  /** The text of the current pass with its edits (the source itself when there is none). */
  #textResult(): string {
    return this.#edited ? this.#out + this.#src.slice(this.#last) : this.#src;
  }

  /** Forgets the findings recorded after the log had `logLength` entries. */
  #undo(logLength: number, pathCount: number): void {
    this.#log.length = logLength;
    this.#paths.length = pathCount;
    this.#pathIdList.length = pathCount;
    let max = -1;
    for (const id of this.#pathIdList) if (id > max) max = id;
    this.#maxPathId = max;
    this.#lastPathId = -1;
  }

  /** Output: source up to `from`, then `text` instead of the source up to `to`. */
  #edit(from: number, to: number, text: string): void {
    if (from < this.#last) throw GIVE_UP;
    this.#out += this.#src.slice(this.#last, from) + text;
    this.#last = to;
    this.#edited = true;
  }

  /** Drops a member or element `[from, to)`; `kept` tells whether one before it stays. */
  #cut(from: number, to: number, kept: boolean): void {
    if (kept) this.#edit(from - 1, to, '');
    else if (this.#src.charCodeAt(to) === 44) this.#edit(from, to + 1, '');
    else this.#edit(from, to, '');
  }

  /** Masks the value at #pos as #value would; true when it is to be removed. */
  #tValue(depth: number): boolean {
    const c = this.#codes[this.#pos];
    if (c === 34) return this.#tString(depth);
    if (c === 123) {
      this.#tObject(depth);
      return false;
    }
    if (c === 91) {
      this.#tArray(depth);
      return false;
    }
    const start = this.#pos;
    const plain = plainNumberEnd(this.#codes, start);
    if (plain !== -1) {
      this.#pos = plain;
      return false;
    }
    const literal = this.#tPrimitive();
    if (typeof literal !== 'number' || !Number.isInteger(literal) || Math.abs(literal) < 1e11)
      return false;
    const out = this.#value(literal, depth);
    if (out === REMOVE) return true;
    if (out !== literal) this.#edit(start, this.#pos, JSON.stringify(out));
    return false;
  }

  /** Reads `true`, `false`, `null` or a canonical number at #pos. */
  #tPrimitive(): boolean | number | null {
    const codes = this.#codes;
    const start = this.#pos;
    const c = codes[start]!;
    if (
      c === 116 &&
      codes[start + 1] === 114 &&
      codes[start + 2] === 117 &&
      codes[start + 3] === 101
    ) {
      this.#pos += 4;
      return true;
    }
    if (
      c === 102 &&
      codes[start + 1] === 97 &&
      codes[start + 2] === 108 &&
      codes[start + 3] === 115 &&
      codes[start + 4] === 101
    ) {
      this.#pos += 5;
      return false;
    }
    if (
      c === 110 &&
      codes[start + 1] === 117 &&
      codes[start + 2] === 108 &&
      codes[start + 3] === 108
    ) {
      this.#pos += 4;
      return null;
    }
    // A number: the characters numbers are written with, then only what JSON.stringify writes
    // (String(Number(text)) === text holds for those and for nothing else).
    let i = start;
    for (;;) {
      const d = codes[i]!;
      if ((d >= 48 && d <= 57) || d === 45 || d === 46 || d === 101 || d === 69 || d === 43) i++;
      else break;
    }
    if (i === start) throw GIVE_UP;
    const text = this.#src.slice(start, i);
    const value = Number(text);
    if (String(value) !== text) throw GIVE_UP;
    this.#pos = i;
    return value;
  }

  /**
   * End (index of the closing quote) of the string whose opening quote is at `q`; sets
   * #escaped to whether the string has escapes.
   */
  #stringEnd(q: number): number {
    const src = this.#src;
    let end = src.indexOf('"', q + 1);
    if (end === -1) throw GIVE_UP;
    if (this.#nextEscape !== -1 && this.#nextEscape < q) this.#nextEscape = src.indexOf('\\', q);
    this.#escaped = this.#nextEscape !== -1 && this.#nextEscape < end;
    if (!this.#escaped) return end;
    for (;;) {
      let slashes = 0;
      while (src.charCodeAt(end - 1 - slashes) === 92) slashes++;
      if (slashes % 2 === 0) return end;
      end = src.indexOf('"', end + 1);
      if (end === -1) throw GIVE_UP;
    }
  }

  /** The decoded string at #pos (moving past it), given only in canonical form. */
  #tReadString(): string {
    const src = this.#src;
    const q = this.#pos;
    const end = this.#stringEnd(q);
    this.#pos = end + 1;
    if (!this.#escaped) {
      if (hasUnsafe(this.#codes, q + 1, end)) throw GIVE_UP;
      return src.slice(q + 1, end);
    }
    const value = decodeCanonical(src, this.#codes, q + 1, end);
    if (value === undefined) throw GIVE_UP;
    return value;
  }

  /** A string value: scanned in place, or handed to #string (escapes, JSON inside). */
  #tString(depth: number): boolean {
    const src = this.#src;
    const q = this.#pos;
    const end = this.#stringEnd(q);
    if (this.#escaped) return this.#tEscaped(q, end, depth);
    if (looksLikeJson(src, q + 1, end)) {
      const value = this.#tReadString();
      const out = this.#string(value, depth, true);
      if (out === REMOVE) return true;
      if (out !== value) this.#edit(q, this.#pos, JSON.stringify(out));
      return false;
    }
    this.#pos = end + 1;
    const from = q + 1;
    const kept = scanQuoted(src, this.#codes, from, end, this.#profile.scanner);
    if (kept === undefined) return false;
    if (!splitsPairIn(this.#codes, kept)) return this.#tApply(kept, from, end);
    const value = src.slice(from, end);
    const out = this.#apply(value, kept, from, true);
    if (out === REMOVE) return true;
    if (out !== value) this.#edit(q, this.#pos, JSON.stringify(out));
    return false;
  }

  /**
   * A string value with escapes between the quotes at `q` and `end`: decoded and scanned, and
   * its matches replaced where they are in the source, as #string would replace them (the
   * source is what JSON.stringify writes for the value, so the text around the matches is
   * what JSON.stringify would write for it again); JSON inside and other rare cases are
   * handed to #string.
   */
  #tEscaped(q: number, end: number, depth: number): boolean {
    const src = this.#src;
    const codes = this.#codes;
    const from = q + 1;
    const value = decodeCanonical(src, codes, from, end);
    if (value === undefined) throw GIVE_UP;
    this.#pos = end + 1;
    let matches: Match[] | undefined;
    if (
      value.length > this.#plan.maxStringLength ||
      (this.#plan.parseJsonStrings && looksLikeJson(value, 0, value.length)) ||
      ((matches = scanText(value, this.#profile.scanner)) !== undefined &&
        splitsPair(value, matches))
    ) {
      const out = this.#string(value, depth, true);
      if (out === REMOVE) return true;
      if (out !== value) this.#edit(q, this.#pos, JSON.stringify(out));
      return false;
    }
    if (matches === undefined) return false;
    // Source position of each match's ends: an escape is one unit of the value, any other
    // unit is itself (so the text between escapes is skipped whole).
    let p = from;
    let at = 0;
    let escape = src.indexOf('\\', from);
    const sourceOf = (target: number): number => {
      while (at < target) {
        if (escape !== p) {
          const run =
            escape === -1 || escape >= end ? target - at : Math.min(escape - p, target - at);
          p += run;
          at += run;
        } else {
          p += codes[p + 1] === 117 ? 6 : 2;
          at++;
          escape = src.indexOf('\\', p);
        }
      }
      return p;
    };
    for (const m of matches) {
      const start = sourceOf(m.start);
      sourceOf(m.end);
      if (this.#tReplace(m, value, m.start === 0 && m.end === value.length, start, p)) return true;
    }
    return false;
  }

  /**
   * Replaces the matches of the string `[from, to)` of the source where they are, as #apply
   * would (same findings, same order); true when the whole string is to be removed. The source
   * around them needs no escaping (the pass runs only on canonical text), so only the
   * replacements are escaped, and only when they hold a character JSON escapes.
   */
  #tApply(matches: readonly Match[], from: number, to: number, removable = true): boolean {
    const src = this.#src;
    for (const m of matches) {
      const whole = removable && m.start === from && m.end === to;
      if (this.#tReplace(m, src, whole, m.start, m.end)) return true;
    }
    return false;
  }

  /**
   * Records match `m` (offsets into `text`) and writes its replacement over the source
   * `[start, end)`; true, writing nothing, when its strategy removes and `whole` says the match
   * is the whole string.
   */
  #tReplace(m: Match, text: string, whole: boolean, start: number, end: number): boolean {
    const info = this.#profile.typeInfo(m.type);
    const strategy = info.strategy;
    this.#record(info);
    if (strategy.kind === 'remove' && whole) return true;
    if (strategy.kind === 'redact') {
      this.#edit(start, end, info.redactedInner);
      return false;
    }
    const out = this.#replace(text.slice(m.start, m.end), m.type, strategy);
    this.#edit(start, end, needsEscape(out) ? JSON.stringify(out).slice(1, -1) : out);
    return false;
  }

  /** A value under a field rule: read, handed to #whole, written back if changed. */
  #tWhole(rule: CompiledRule, depth: number, ruleType?: TypeInfo): boolean {
    const src = this.#src;
    const codes = this.#codes;
    const start = this.#pos;
    const c = codes[start];
    if (c === 34) {
      // A string without escapes, control characters or surrogates (the common case), found
      // in one loop and replaced where it is, as #whole would. (The zeros after the text stop
      // the loop too.)
      let end = start + 1;
      let u = codes[end]!;
      while (u !== 34 && u !== 92 && u >= 32 && (u < 0xd800 || u > 0xdfff)) u = codes[++end]!;
      const length = end - start - 1;
      if (u === 34 && length > 0 && length <= this.#plan.maxStringLength) {
        this.#pos = end + 1;
        const info = ruleType ?? this.#profile.typeInfo(rule.type);
        const strategy = rule.strategy ?? info.strategy;
        this.#record(info);
        if (strategy.kind === 'remove') return true;
        const text =
          strategy === info.strategy && strategy.kind === 'redact'
            ? info.redactedJson
            : jsonOf(
                strategy.kind === 'redact'
                  ? (strategy.label ?? info.bracket)
                  : this.#replace(src.slice(start + 1, end), rule.type, strategy),
              );
        this.#edit(start, this.#pos, text);
        return false;
      }
    }
    if (c === 123 || c === 91) {
      const strategy = rule.strategy ?? this.#profile.strategyFor(rule.type);
      if (strategy.kind !== 'remove') {
        this.#tWholeContainer(rule, strategy, depth);
        return false;
      }
    }
    let value: unknown;
    if (c === 34) value = this.#tReadString();
    else if (c === 123 || c === 91) value = this.#tParseContainer();
    else value = this.#tPrimitive();
    const out = this.#whole(value, rule, depth);
    if (out === REMOVE) return true;
    if (out !== value)
      this.#edit(start, this.#pos, typeof out === 'string' ? jsonOf(out) : JSON.stringify(out));
    else if (typeof value === 'object' && value !== null) this.#tCanonical(start, value);
    return false;
  }

  /**
   * The object or array at #pos under a field rule whose strategy keeps values: each string
   * and number in it replaced where it is, as #whole would replace them (same order, findings
   * and paths); the general path takes what #whole would not see as JSON.parse gives it.
   */
  #tWholeContainer(rule: CompiledRule, strategy: CompiledStrategy, depth: number): void {
    if (depth >= this.#plan.maxDepth) throw GIVE_UP;
    const codes = this.#codes;
    const open = codes[this.#pos]!;
    const close = open === 123 ? 125 : 93;
    this.#pos++;
    if (codes[this.#pos] === close) {
      this.#pos++;
      return;
    }
    const keys: string[] = [];
    for (let index = 0; ; index++) {
      if (open === 123) {
        if (codes[this.#pos] !== 34) throw GIVE_UP;
        const info = this.#tKey();
        if (codes[this.#pos] !== 58 || info.reordered || keys.includes(info.key)) throw GIVE_UP;
        keys.push(info.key);
        this.#pos++;
        this.#stackKeys[this.#stack.length] = info;
        this.#enter(info.key);
      } else this.#enter(index);
      const c = codes[this.#pos]!;
      if (c === 123 || c === 91) this.#tWholeContainer(rule, strategy, depth + 1);
      else this.#tWholeLeaf(rule, strategy);
      this.#stack.pop();
      const next = codes[this.#pos++];
      if (next === close) return;
      if (next !== 44) throw GIVE_UP;
    }
  }

  /** A string, number or literal inside a container under a field rule (see above). */
  #tWholeLeaf(rule: CompiledRule, strategy: CompiledStrategy): void {
    const start = this.#pos;
    let text: string;
    if (this.#codes[start] === 34) {
      text = this.#tReadString();
      if (text === '') return;
    } else {
      const value = this.#tPrimitive();
      if (typeof value !== 'number') return;
      text = String(value);
    }
    if (text.length > this.#plan.maxStringLength) {
      this.#edit(start, this.#pos, jsonOf(this.#oversized()));
      return;
    }
    const info = this.#profile.typeInfo(rule.type);
    this.#record(info);
    const out =
      strategy.kind === 'redact'
        ? (strategy.label ?? info.bracket)
        : this.#replace(text, rule.type, strategy);
    this.#edit(start, this.#pos, jsonOf(out));
  }

  /** Parses the object or array at #pos (moving past it). */
  #tParseContainer(): object {
    const src = this.#src;
    const start = this.#pos;
    let nesting = 0;
    let i = start;
    for (;;) {
      const c = src.charCodeAt(i);
      if (c === 34) {
        i = this.#stringEnd(i) + 1;
        continue;
      }
      if (c === 123 || c === 91) nesting++;
      else if (c === 125 || c === 93) {
        nesting--;
        if (nesting === 0) break;
      } else if (Number.isNaN(c)) throw GIVE_UP;
      i++;
    }
    this.#pos = i + 1;
    if (hasUnsafe(this.#codes, start, i + 1)) throw GIVE_UP;
    try {
      return JSON.parse(src.slice(start, i + 1)) as object;
    } catch {
      throw GIVE_UP;
    }
  }

  /** Gives up unless the source of `value` from `start` is what JSON.stringify writes. */
  #tCanonical(start: number, value: unknown): void {
    if (JSON.stringify(value) !== this.#src.slice(start, this.#pos)) throw GIVE_UP;
  }

  /** The object key at #pos (moving past it). */
  #tKey(expected?: KeyInfo): KeyInfo {
    const q = this.#pos;
    const table = this.#keyTable;
    const quoted = table.quotedAt(this.#src, this.#codes, q, expected);
    if (quoted !== undefined) {
      this.#pos = table.end + 1;
      return quoted;
    }
    // Not read above: a key with an escape, else one that JSON.stringify would not write (a
    // raw control character, a lone surrogate) or that never ends.
    this.#stringEnd(q);
    if (this.#escaped) return table.of(this.#tReadString());
    throw GIVE_UP;
  }

  #tObject(depth: number): void {
    if (depth >= this.#plan.maxDepth) throw GIVE_UP;
    const src = this.#src;
    const codes = this.#codes;
    const objectStart = this.#pos;
    this.#pos++;
    if (codes[this.#pos] === 125) {
      this.#pos++;
      return;
    }
    // Keys seen, to refuse duplicates (JSON.parse keeps the last one): compared as KeyInfos
    // while no KeyInfo is made (see KeyTable#made), else as strings, and only when the bits of
    // the keys seen hold the new key's bit; a set when many.
    const table = this.#keyTable;
    const made = table.made;
    const keys = this.#memberKeys;
    const keysFrom = this.#memberTop;
    const pathRules = this.#profile.pathRules.length > 0;
    let keySet: Set<string> | undefined;
    let bits = 0;
    let kept = false;
    let prev: KeyInfo | undefined;
    for (;;) {
      const memberStart = this.#pos;
      if (codes[memberStart] !== 34) throw GIVE_UP;
      const info = this.#tKey(prev?.next);
      if (prev !== undefined && prev.next !== info && prev.inSlot && info.inSlot) prev.next = info;
      prev = info;
      if (codes[this.#pos] !== 58 || info.reordered) throw GIVE_UP;
      this.#pos++;
      const key = info.key;
      if (keySet !== undefined) {
        if (keySet.has(key)) throw GIVE_UP;
        keySet.add(key);
      } else {
        const top = this.#memberTop;
        if ((bits & info.bit) !== 0) {
          if (table.made === made) {
            for (let k = keysFrom; k < top; k++) if (keys[k] === info) throw GIVE_UP;
          } else {
            for (let k = keysFrom; k < top; k++) if (keys[k]!.key === key) throw GIVE_UP;
          }
        }
        bits |= info.bit;
        if (top < keys.length) keys[top] = info;
        else keys.push(info);
        this.#memberTop = top + 1;
        if (top + 1 - keysFrom === 16) {
          keySet = new Set();
          for (let k = keysFrom; k <= top; k++) keySet.add(keys[k]!.key);
        }
      }
      if (info.isType && codes[this.#pos] === 34) {
        const at = this.#pos;
        const type = this.#tReadString();
        this.#pos = at;
        if (Object.hasOwn(MCP_BLOCK_KEYS, type)) {
          if (type === 'text' && memberStart === objectStart + 1 && this.#tTextBlock(at)) {
            this.#memberTop = keysFrom;
            return;
          }
          // A block whose `type` comes later sends the whole text to the general path (undoing
          // the members before it, for each of many nested blocks, would add up); one whose
          // `type` comes first goes there alone, having cost only its `type`.
          // (Nothing has been recorded or edited since the object began.)
          if (memberStart !== objectStart + 1) throw GIVE_UP;
          this.#pos = objectStart;
          this.#nextEscape = src.indexOf('\\', objectStart);
          this.#memberTop = keysFrom;
          this.#tGeneral(depth);
          return;
        }
      }
      // (#enter, written out: this loop runs for every member.)
      const stackDepth = this.#stack.length;
      this.#stackKeys[stackDepth] = info;
      if (this.#pathsValid > stackDepth) this.#pathsValid = stackDepth;
      this.#stack.push(key);
      const rule = (pathRules ? this.#pathRule() : undefined) ?? info.rule;
      const removed =
        rule === undefined
          ? this.#tValue(depth + 1)
          : this.#tWhole(rule, depth + 1, rule === info.rule ? info.ruleType : undefined);
      this.#stack.pop();
      if (removed) this.#cut(memberStart, this.#pos, kept);
      else kept = true;
      const c = codes[this.#pos++];
      if (c === 125) {
        this.#memberTop = keysFrom;
        return;
      }
      if (c !== 44) throw GIVE_UP;
    }
  }

  /**
   * An MCP text block that is exactly `{"type":"text","text":"…"}` (the `type` string at `at`)
   * with a text without escapes and not holding JSON: its text masked where it is, as the
   * general path masks a text block (#only: no field rules, never removed); #pos moves past
   * the block. False, with nothing done, for any other block.
   */
  #tTextBlock(at: number): boolean {
    const src = this.#src;
    const head = at + 6;
    if (!src.startsWith(TEXT_FIELD, head)) return false;
    const q = head + TEXT_FIELD.length - 1;
    const end = this.#stringEnd(q);
    const from = q + 1;
    if (
      this.#escaped ||
      this.#codes[end + 1] !== 125 ||
      end - from > this.#plan.maxStringLength ||
      (this.#plan.parseJsonStrings && looksLikeJson(src, from, end))
    ) {
      return false;
    }
    const kept = scanQuoted(src, this.#codes, from, end, this.#profile.scanner);
    if (kept !== undefined && splitsPairIn(this.#codes, kept)) return false;
    this.#pos = end + 2;
    if (kept === undefined) return true;
    this.#enter('text');
    this.#tApply(kept, from, end, false);
    this.#stack.pop();
    return true;
  }

  #tArray(depth: number): void {
    if (depth >= this.#plan.maxDepth) throw GIVE_UP;
    const codes = this.#codes;
    this.#pos++;
    if (codes[this.#pos] === 93) {
      this.#pos++;
      return;
    }
    let kept = false;
    for (let i = 0; ; i++) {
      const itemStart = this.#pos;
      // (#enter, written out: this loop runs for every element.)
      const stackDepth = this.#stack.length;
      if (this.#pathsValid > stackDepth) this.#pathsValid = stackDepth;
      this.#stack.push(i);
      const rule = this.#profile.pathRules.length > 0 ? this.#pathRule() : undefined;
      const removed = rule === undefined ? this.#tValue(depth + 1) : this.#tWhole(rule, depth + 1);
      this.#stack.pop();
      if (removed) this.#cut(itemStart, this.#pos, kept);
      else kept = true;
      const c = codes[this.#pos++];
      if (c === 93) return;
      if (c !== 44) throw GIVE_UP;
    }
  }

  /** The object at #pos through the general path (MCP content blocks). */
  #tGeneral(depth: number): void {
    const start = this.#pos;
    const value = this.#tParseContainer();
    const out = this.#value(value, depth);
    if (out !== value) this.#edit(start, this.#pos, JSON.stringify(out === REMOVE ? null : out));
    else this.#tCanonical(start, value);
  }
}

/** Whether `s` has `"type":"<an MCP block type>"` other than as the first member of an object. */
function hasLaterTypedBlock(s: string): boolean {
  for (let p = s.indexOf(TYPE_TAIL); p !== -1; p = s.indexOf(TYPE_TAIL, p + TYPE_TAIL.length)) {
    const at = p - 3;
    if (at > 0 && s.startsWith(TYPE_KEY, at) && s.charCodeAt(at - 1) !== 123) {
      const end = s.indexOf('"', at + TYPE_KEY.length);
      if (Object.hasOwn(MCP_BLOCK_KEYS, s.slice(at + TYPE_KEY.length, end))) return true;
    }
  }
  return false;
}

/**
 * End of the number at `at` when it is one #tValue leaves as it is and JSON.stringify writes
 * as it is, told without making it: an integer of at most ten digits (below 1e11, never
 * scanned), or a decimal fraction with at most 15 digits, no exponent and no trailing zero
 * (never an integer; with at most 15 significant digits, String(Number(text)) is the text,
 * which is plain notation from 1e-6 up). -1 for any other text, which #tPrimitive reads.
 */
function plainNumberEnd(codes: Uint16Array, at: number): number {
  let i = at;
  if (codes[i] === 45) i++;
  const first = i;
  let c = codes[i]!;
  if (c === 48) c = codes[++i]!;
  else while (c >= 48 && c <= 57) c = codes[++i]!;
  const intDigits = i - first;
  if (intDigits === 0) return -1;
  if (c !== 46) {
    // An integer: `-0` is written `0`.
    if (intDigits > 10 || (codes[first] === 48 && first !== at)) return -1;
  } else {
    const dot = i;
    c = codes[++i]!;
    while (c >= 48 && c <= 57) c = codes[++i]!;
    const fraction = i - dot - 1;
    if (fraction === 0 || intDigits + fraction > 15 || codes[i - 1] === 48) return -1;
    // Below 1e-6 String() writes an exponent.
    if (codes[first] === 48) {
      let zeros = 0;
      while (codes[dot + 1 + zeros] === 48) zeros++;
      if (zeros >= 6) return -1;
    }
  }
  // The token must end here (#tPrimitive reads every character numbers are written with).
  return (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 101 || c === 69 || c === 43 ? -1 : i;
}

function parseJsonText(s: string): object | undefined {
  let i = 0;
  while (
    i < s.length &&
    (s.charCodeAt(i) === 32 ||
      s.charCodeAt(i) === 10 ||
      s.charCodeAt(i) === 13 ||
      s.charCodeAt(i) === 9)
  )
    i++;
  const open = s.charCodeAt(i);
  if (open !== 123 && open !== 91) return undefined;
  let j = s.length - 1;
  while (
    j > i &&
    (s.charCodeAt(j) === 32 ||
      s.charCodeAt(j) === 10 ||
      s.charCodeAt(j) === 13 ||
      s.charCodeAt(j) === 9)
  )
    j--;
  const close = s.charCodeAt(j);
  if ((open === 123 && close !== 125) || (open === 91 && close !== 93)) return undefined;
  try {
    const parsed: unknown = JSON.parse(s);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function indentOf(s: string): string | undefined {
  const m = /^[[{]\r?\n([ \t]+)/.exec(s);
  return m?.[1];
}
