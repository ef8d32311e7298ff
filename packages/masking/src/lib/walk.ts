import { MaskingRejectedError } from '../errors.js';
import type { CompiledProfile, CompiledRule, MaskerPlan } from './compile.js';
import type { TenantKeys } from './keyring.js';
import { formatPath, matchPath } from './paths.js';
import { scanText } from './scan.js';
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

/** Counts and paths of one masking call. */
export interface Tally {
  total: number;
  readonly byCategory: Record<string, number>;
  readonly paths: string[];
}

/** Masks one value for one call. */
export class Walk {
  readonly #plan: MaskerPlan;
  readonly #profile: CompiledProfile;
  readonly #tenantId: string;
  #keys: TenantKeys | null | undefined = null;
  readonly #stack: (string | number)[] = [];
  readonly #active = new Set<object>();
  readonly #pathSet = new Set<string>();
  readonly tally: Tally = { total: 0, byCategory: {}, paths: [] };

  constructor(plan: MaskerPlan, profile: CompiledProfile, tenantId: string) {
    this.#plan = plan;
    this.#profile = profile;
    this.#tenantId = tenantId;
  }

  run(value: unknown): unknown {
    const out = this.#value(value, 0);
    return out === REMOVE ? null : out;
  }

  #record(type: string): void {
    this.tally.total++;
    this.tally.byCategory[type] = (this.tally.byCategory[type] ?? 0) + 1;
    if (this.tally.paths.length < MAX_PATHS) {
      const path = formatPath(this.#stack);
      if (!this.#pathSet.has(path)) {
        this.#pathSet.add(path);
        this.tally.paths.push(path);
      }
    }
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
        return strategy.label ?? `[${type}]`;
      default:
        return `[${type}]`;
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
      this.#record('MAX_DEPTH');
      return '[MAX_DEPTH]';
    }
    if (this.#active.has(value)) return '[CIRCULAR]';
    this.#active.add(value);
    try {
      return Array.isArray(value)
        ? this.#array(value, depth)
        : this.#object(value as Record<string, unknown>, depth);
    } finally {
      this.#active.delete(value);
    }
  }

  #array(arr: readonly unknown[], depth: number): Out {
    let copy: unknown[] | undefined;
    for (let i = 0; i < arr.length; i++) {
      const item = arr[i];
      this.#stack.push(i);
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
      this.#stack.push(key);
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
    const allowed = MCP_BLOCK_KEYS[type];
    if (allowed === undefined) return undefined;
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
      this.#stack.push('resource');
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
      this.#stack.push(field);
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
        this.#stack.push('blob');
        const masked = this.#oversized();
        this.#stack.pop();
        return { ...out, blob: Buffer.from(masked).toString('base64') };
      }
      const text = Buffer.from(blob, 'base64').toString('utf8');
      this.#stack.push('blob');
      const masked = this.#string(text, depth + 1, false);
      this.#stack.pop();
      if (masked !== text) out = { ...out, blob: Buffer.from(String(masked)).toString('base64') };
    }
    return out;
  }

  #oversized(): string {
    if (this.#plan.oversized === 'reject') throw new MaskingRejectedError(formatPath(this.#stack));
    this.#record('OVERSIZED');
    return '[OVERSIZED]';
  }

  /** A string: JSON inside it is parsed and walked; anything else is scanned as text. */
  #string(s: string, depth: number, removable: boolean): Out {
    if (s.length > this.#plan.maxStringLength) return this.#oversized();
    if (this.#plan.parseJsonStrings && s.length >= 2) {
      const parsed = parseJsonText(s);
      if (parsed !== undefined) {
        const masked = this.#value(parsed, depth + 1);
        if (masked === parsed) return s;
        return JSON.stringify(masked === REMOVE ? null : masked, null, indentOf(s));
      }
    }
    return this.#text(s, removable);
  }

  #text(s: string, removable: boolean): Out {
    const matches = scanText(s, this.#profile.scanner);
    if (matches === undefined) return s;
    let out = '';
    let last = 0;
    for (const m of matches) {
      const strategy = this.#profile.strategyFor(m.type);
      this.#record(m.type);
      if (strategy.kind === 'remove' && removable && m.start === 0 && m.end === s.length)
        return REMOVE;
      out += s.slice(last, m.start) + this.#replace(s.slice(m.start, m.end), m.type, strategy);
      last = m.end;
    }
    return out + s.slice(last);
  }

  /** A value masked whole because of where it is (a field rule). */
  #whole(value: unknown, rule: CompiledRule, depth: number): Out {
    const strategy = rule.strategy ?? this.#profile.strategyFor(rule.type);
    if (value === null || value === undefined || typeof value === 'boolean' || value === '')
      return value;
    if (strategy.kind === 'remove') {
      this.#record(rule.type);
      return REMOVE;
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
      const text = String(value);
      if (text.length > this.#plan.maxStringLength) return this.#oversized();
      this.#record(rule.type);
      return this.#replace(text, rule.type, strategy);
    }
    if (typeof value !== 'object') return value;
    if (depth >= this.#plan.maxDepth) {
      this.#record('MAX_DEPTH');
      return '[MAX_DEPTH]';
    }
    if (this.#active.has(value)) return '[CIRCULAR]';
    this.#active.add(value);
    try {
      if (Array.isArray(value)) {
        return value.map((item: unknown, i) => {
          this.#stack.push(i);
          const out = this.#whole(item, rule, depth + 1);
          this.#stack.pop();
          return out === REMOVE ? null : out;
        });
      }
      if (value instanceof Date) {
        this.#record(rule.type);
        return this.#replace(value.toISOString(), rule.type, strategy);
      }
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        this.#stack.push(key);
        copy[key] = this.#whole(item, rule, depth + 1);
        this.#stack.pop();
      }
      return copy;
    } finally {
      this.#active.delete(value);
    }
  }
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
