import { ownCopy } from './lib/own-copy.js';
import {
  serializeParameters,
  serializeString,
} from './structured-field/serialize-structured-field.js';
import type { SfParameters } from './structured-field/types.js';

/** The parts of an HTTP request a signature base is built from. */
export interface SignableMessage {
  /** The request method as sent (`POST`). */
  readonly method: string;
  /** The absolute target URI as sent, without fragment (`https://api.example.com/a?b=c`). */
  readonly url: string;
  /**
   * The field value for a lowercase name: every field line trimmed and joined with `, `, as
   * `Headers.get` returns it; `undefined` when absent.
   */
  header(name: string): string | undefined;
}

/** One covered component: a name (`@method`, `content-type`) and its parameters. */
export interface CoveredComponent {
  readonly name: string;
  readonly params: SfParameters;
}

/** Why a signature base could not be built. */
export type SignatureBaseFailure =
  /** A covered header is absent from the message. */
  | 'missing_header'
  /** A component or component parameter this implementation does not derive. */
  | 'unsupported_component'
  /** The same component is covered twice, or a name is not lowercase / not a valid name. */
  | 'malformed_component';

/** The signature base, or why it could not be built. */
export type SignatureBaseResult =
  | { readonly ok: true; readonly base: string }
  | {
      readonly ok: false;
      readonly reason: SignatureBaseFailure;
      /** The component at fault. */
      readonly component: string;
    };

const NO_PARAMS: SfParameters = new Map();
const FIELD_NAME = /^[a-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * Builds the RFC 9421 §2.5 signature base: one line per covered component (a name alone stands
 * for a component without parameters), in order, then the
 * `@signature-params` line. Derived components supported: `@method`, `@target-uri`,
 * `@authority`, `@scheme`, `@request-target`, `@path`, `@query`; fields are covered by their
 * lowercase name, without parameters (`sf`, `key`, `bs`, `req` and `tr` are refused as
 * unsupported).
 *
 * @param signatureParams The serialised inner list, exactly as it appears in `Signature-Input`.
 * @example
 * const result = createSignatureBase(message, [{ name: '@method', params: new Map() }], '("@method");created=1');
 * if (result.ok) hmac.update(result.base);
 */
export function createSignatureBase(
  message: SignableMessage,
  components: readonly (CoveredComponent | string)[],
  signatureParams: string,
): SignatureBaseResult {
  let base = '';
  let url: UrlParts | undefined;
  for (let i = 0; i < components.length; i++) {
    const entry = components[i]!;
    const name = typeof entry === 'string' ? entry : entry.name;
    const params = typeof entry === 'string' ? NO_PARAMS : entry.params;
    for (let j = 0; j < i; j++) {
      const other = components[j]!;
      if (
        typeof other === 'string'
          ? other === name && params.size === 0
          : other.name === name && sameParams(other.params, params)
      ) {
        return { ok: false, reason: 'malformed_component', component: name };
      }
    }
    let value: string | undefined;
    if (name.charCodeAt(0) === 0x40 /* @ */) {
      if (params.size > 0) return { ok: false, reason: 'unsupported_component', component: name };
      switch (name) {
        case '@method':
          value = message.method;
          break;
        case '@target-uri':
          value = message.url;
          break;
        case '@authority':
          value = (url ??= splitUrl(message.url)).authority;
          break;
        case '@scheme':
          value = (url ??= splitUrl(message.url)).scheme;
          break;
        case '@request-target':
          url ??= splitUrl(message.url);
          value = url.query === '' ? url.path : url.path + url.query;
          break;
        case '@path':
          value = (url ??= splitUrl(message.url)).path;
          break;
        case '@query':
          value = (url ??= splitUrl(message.url)).query || '?';
          break;
        case '@signature-params':
          return { ok: false, reason: 'malformed_component', component: name };
        default:
          return { ok: false, reason: 'unsupported_component', component: name };
      }
    } else {
      if (!validFieldName(name)) {
        return { ok: false, reason: 'malformed_component', component: name };
      }
      if (params.size > 0) return { ok: false, reason: 'unsupported_component', component: name };
      value = message.header(name);
      if (value === undefined) return { ok: false, reason: 'missing_header', component: name };
    }
    base += `"${name}": ${value}\n`;
  }
  return { ok: true, base: `${base}"@signature-params": ${signatureParams}` };
}

/**
 * Serialises a component identifier as it appears in `Signature-Input` and in the base:
 * `"content-type"`, `"@query-param";name="a"`.
 */
export function serializeComponent(component: CoveredComponent): string {
  return serializeString(component.name) + serializeParameters(component.params);
}

/** A component without parameters. */
export function component(name: string): CoveredComponent {
  return { name, params: NO_PARAMS };
}

interface UrlParts {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  /** `?…` or empty when there is no query. */
  readonly query: string;
}

// Splits the URI as sent rather than through the WHATWG parser, which would normalise
// (`/a/../b` → `/b`) and so let two different request targets share one signature.
function splitUrl(url: string): UrlParts {
  const schemeEnd = url.indexOf('://');
  const scheme = schemeEnd > 0 ? url.slice(0, schemeEnd).toLowerCase() : '';
  const authorityStart = schemeEnd > 0 ? schemeEnd + 3 : 0;
  let authorityEnd = authorityStart;
  while (authorityEnd < url.length) {
    const c = url.charCodeAt(authorityEnd);
    if (c === 0x2f || c === 0x3f || c === 0x23) break;
    authorityEnd++;
  }
  let authority = url.slice(authorityStart, authorityEnd).toLowerCase();
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  if (
    (scheme === 'http' && authority.endsWith(':80')) ||
    (scheme === 'https' && authority.endsWith(':443'))
  ) {
    authority = authority.slice(0, authority.lastIndexOf(':'));
  }
  let rest = url.slice(authorityEnd);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  return { scheme, authority, path: path === '' ? '/' : path, query: q >= 0 ? rest.slice(q) : '' };
}

// Field names repeat on every request: remember the valid ones (a bounded set). A name is
// parsed from the whole `Signature-Input` header, and is added before the signature is
// checked: the set keeps its own copy, never a slice that would keep that header alive.
const validNames = new Set<string>();
function validFieldName(name: string): boolean {
  if (validNames.has(name)) return true;
  if (!FIELD_NAME.test(name)) return false;
  if (validNames.size < 256) validNames.add(ownCopy(name));
  return true;
}

function sameParams(a: SfParameters, b: SfParameters): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
