import { StructuredFieldError } from './structured-field-error.js';
import {
  SfDate,
  SfDecimal,
  SfDisplayString,
  SfToken,
  type SfBareItem,
  type SfDictionary,
  type SfInnerList,
  type SfItem,
  type SfMember,
} from './types.js';

/** Bounds applied while parsing; anything beyond them is refused rather than truncated. */
export interface StructuredFieldLimits {
  /** Maximum length of the field value in characters. Default 8,192. */
  readonly maxLength?: number | undefined;
  /** Maximum number of Dictionary or List members. Default 16. */
  readonly maxMembers?: number | undefined;
  /** Maximum number of items in one Inner List. Default 64. */
  readonly maxInnerListItems?: number | undefined;
  /** Maximum number of parameters on one item or inner list. Default 16. */
  readonly maxParams?: number | undefined;
}

const DEFAULTS = { maxLength: 8192, maxMembers: 16, maxInnerListItems: 64, maxParams: 16 };

/**
 * Parses a Dictionary field value (RFC 8941 §4.2.2), strictly: a key that appears twice is
 * refused (`duplicate_key`) instead of the last one silently winning, because for signature
 * fields that ambiguity is an attack.
 *
 * @example
 * const dict = parseDictionary('sig1=:AAEC:, sig2=("@method");created=1');
 */
export function parseDictionary(input: string, limits?: StructuredFieldLimits): SfDictionary {
  const parser = new Parser(input, limits);
  const result = parser.dictionary();
  return result;
}

/**
 * Parses an Item field value (RFC 8941 §4.2.3).
 *
 * @example
 * parseItem('"@query-param";name="a"');
 */
export function parseItem(input: string, limits?: StructuredFieldLimits): SfItem {
  const parser = new Parser(input, limits);
  return parser.topItem();
}

const NO_PARAMS: ReadonlyMap<string, SfBareItem> = new Map();
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z:/]$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

class Parser {
  private pos = 0;
  private readonly input: string;
  private readonly maxMembers: number;
  private readonly maxItems: number;
  private readonly maxParams: number;

  constructor(input: string, limits: StructuredFieldLimits | undefined) {
    const maxLength = limits?.maxLength ?? DEFAULTS.maxLength;
    if (input.length > maxLength) {
      throw new StructuredFieldError('too_large', 'structured field too large');
    }
    // Leading and trailing SP are discarded (RFC 8941 §4.2, step 2).
    let start = 0;
    let end = input.length;
    while (start < end && input.charCodeAt(start) === 0x20) start++;
    while (end > start && input.charCodeAt(end - 1) === 0x20) end--;
    this.input = start === 0 && end === input.length ? input : input.slice(start, end);
    this.maxMembers = limits?.maxMembers ?? DEFAULTS.maxMembers;
    this.maxItems = limits?.maxInnerListItems ?? DEFAULTS.maxInnerListItems;
    this.maxParams = limits?.maxParams ?? DEFAULTS.maxParams;
  }

  dictionary(): SfDictionary {
    const result = new Map<string, SfMember>();
    const { input } = this;
    while (this.pos < input.length) {
      const key = this.key();
      if (result.has(key)) throw new StructuredFieldError('duplicate_key', 'duplicate key');
      let member: SfMember;
      if (input.charCodeAt(this.pos) === 0x3d /* = */) {
        this.pos++;
        member = this.itemOrInnerList();
      } else {
        member = { value: true, params: this.params() };
      }
      result.set(key, member);
      if (result.size > this.maxMembers) {
        throw new StructuredFieldError('too_many_members', 'too many members');
      }
      this.ows();
      if (this.pos >= input.length) return result;
      if (input.charCodeAt(this.pos) !== 0x2c /* , */) this.fail('expected comma');
      this.pos++;
      this.ows();
      if (this.pos >= input.length) this.fail('trailing comma');
    }
    return result;
  }

  topItem(): SfItem {
    const item = this.item();
    if (this.pos !== this.input.length) this.fail('unexpected character');
    return item;
  }

  private itemOrInnerList(): SfMember {
    return this.input.charCodeAt(this.pos) === 0x28 /* ( */ ? this.innerList() : this.item();
  }

  private innerList(): SfInnerList {
    const { input } = this;
    this.pos++; // (
    const items: SfItem[] = [];
    while (this.pos < input.length) {
      while (input.charCodeAt(this.pos) === 0x20) this.pos++;
      if (input.charCodeAt(this.pos) === 0x29 /* ) */) {
        this.pos++;
        return { items, params: this.params() };
      }
      items.push(this.item());
      if (items.length > this.maxItems) {
        throw new StructuredFieldError('too_many_members', 'too many inner list items');
      }
      const c = input.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x29) this.fail('expected space or )');
    }
    return this.fail('unterminated inner list');
  }

  private item(): SfItem {
    const value = this.bareItem();
    return { value, params: this.params() };
  }

  private params(): ReadonlyMap<string, SfBareItem> {
    const { input } = this;
    // Most items carry no parameters: share one empty map rather than allocate one each.
    if (input.charCodeAt(this.pos) !== 0x3b /* ; */) return NO_PARAMS;
    const params = new Map<string, SfBareItem>();
    while (input.charCodeAt(this.pos) === 0x3b /* ; */) {
      this.pos++;
      while (input.charCodeAt(this.pos) === 0x20) this.pos++;
      const key = this.key();
      let value: SfBareItem = true;
      if (input.charCodeAt(this.pos) === 0x3d) {
        this.pos++;
        value = this.bareItem();
      }
      if (params.has(key)) throw new StructuredFieldError('duplicate_key', 'duplicate parameter');
      params.set(key, value);
      if (params.size > this.maxParams) {
        throw new StructuredFieldError('too_many_members', 'too many parameters');
      }
    }
    return params;
  }

  private key(): string {
    const { input } = this;
    const start = this.pos;
    const first = input.charCodeAt(start);
    if (!(isLcAlpha(first) || first === 0x2a /* * */)) this.fail('invalid key');
    this.pos++;
    while (this.pos < input.length) {
      const c = input.charCodeAt(this.pos);
      if (isLcAlpha(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x2a) {
        this.pos++;
      } else break;
    }
    return input.slice(start, this.pos);
  }

  private bareItem(): SfBareItem {
    const c = this.input.charCodeAt(this.pos);
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === 0x22 /* " */) return this.string();
    if (c === 0x3a /* : */) return this.byteSequence();
    if (c === 0x3f /* ? */) return this.boolean();
    if (c === 0x40 /* @ */) return this.date();
    if (c === 0x25 /* % */) return this.displayString();
    if (isAlpha(c) || c === 0x2a) return this.token();
    return this.fail('invalid bare item');
  }

  private number(): number | SfDecimal {
    const { input } = this;
    const start = this.pos;
    if (input.charCodeAt(this.pos) === 0x2d) this.pos++;
    if (!isDigit(input.charCodeAt(this.pos))) this.fail('invalid number');
    let dot = -1;
    while (this.pos < input.length) {
      const c = input.charCodeAt(this.pos);
      if (isDigit(c)) this.pos++;
      else if (c === 0x2e && dot < 0) {
        dot = this.pos;
        this.pos++;
      } else break;
    }
    const text = input.slice(start, this.pos);
    const digits = text.startsWith('-') ? text.length - 1 : text.length;
    if (dot < 0) {
      if (digits > 15) this.fail('integer too long');
      return Number(text);
    }
    const intDigits = dot - start - (text.startsWith('-') ? 1 : 0);
    const fracDigits = this.pos - dot - 1;
    if (intDigits > 12 || fracDigits < 1 || fracDigits > 3) this.fail('invalid decimal');
    return new SfDecimal(Number(text));
  }

  private string(): string {
    const { input } = this;
    this.pos++;
    let out = '';
    let chunk = this.pos;
    while (this.pos < input.length) {
      const c = input.charCodeAt(this.pos);
      if (c === 0x5c /* \ */) {
        const next = input.charCodeAt(this.pos + 1);
        if (next !== 0x22 && next !== 0x5c) this.fail('invalid escape');
        out += input.slice(chunk, this.pos) + String.fromCharCode(next);
        this.pos += 2;
        chunk = this.pos;
      } else if (c === 0x22) {
        out += input.slice(chunk, this.pos);
        this.pos++;
        return out;
      } else if (c < 0x20 || c > 0x7e) {
        this.fail('invalid string character');
      } else this.pos++;
    }
    return this.fail('unterminated string');
  }

  private token(): SfToken {
    const { input } = this;
    const start = this.pos;
    this.pos++;
    while (this.pos < input.length && TCHAR.test(input[this.pos]!)) this.pos++;
    return new SfToken(input.slice(start, this.pos));
  }

  private byteSequence(): Uint8Array {
    const { input } = this;
    const end = input.indexOf(':', this.pos + 1);
    if (end < 0) this.fail('unterminated byte sequence');
    const text = input.slice(this.pos + 1, end);
    if (!BASE64.test(text) || (text.includes('=') && text.length % 4 !== 0)) {
      this.fail('invalid base64');
    }
    this.pos = end + 1;
    const bytes = Buffer.from(text, 'base64');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private boolean(): boolean {
    const c = this.input.charCodeAt(this.pos + 1);
    if (c !== 0x30 && c !== 0x31) this.fail('invalid boolean');
    this.pos += 2;
    return c === 0x31;
  }

  private date(): SfDate {
    this.pos++;
    const value = this.number();
    if (typeof value !== 'number') this.fail('invalid date');
    return new SfDate(value);
  }

  private displayString(): SfDisplayString {
    const { input } = this;
    if (input.charCodeAt(this.pos + 1) !== 0x22) this.fail('invalid display string');
    this.pos += 2;
    const bytes: number[] = [];
    while (this.pos < input.length) {
      const c = input.charCodeAt(this.pos);
      if (c === 0x25 /* % */) {
        const hex = input.slice(this.pos + 1, this.pos + 3);
        if (!/^[0-9a-f]{2}$/.test(hex)) this.fail('invalid percent-encoding');
        bytes.push(Number.parseInt(hex, 16));
        this.pos += 3;
      } else if (c === 0x22) {
        this.pos++;
        try {
          return new SfDisplayString(
            new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes)),
          );
        } catch {
          return this.fail('invalid utf-8');
        }
      } else if (c < 0x20 || c > 0x7e) {
        this.fail('invalid display string character');
      } else {
        bytes.push(c);
        this.pos++;
      }
    }
    return this.fail('unterminated display string');
  }

  private ows(): void {
    const { input } = this;
    while (this.pos < input.length) {
      const c = input.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09) this.pos++;
      else break;
    }
  }

  private fail(message: string): never {
    throw new StructuredFieldError('syntax', `${message} at offset ${this.pos}`);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isLcAlpha(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}
function isAlpha(c: number): boolean {
  return isLcAlpha(c) || (c >= 0x41 && c <= 0x5a);
}
