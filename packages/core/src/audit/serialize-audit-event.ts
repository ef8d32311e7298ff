import type { AuditEvent } from './audit-event.js';
import { STAGE_NAMES } from '../errors.js';

// `JSON.stringify(event)` for audit events, written field by field: the same text for about
// half the cost on the events the guard builds (every key present, most of them undefined,
// plain strings, empty lists, numbers of milliseconds with three decimals). An event it does
// not recognise — a key outside the schema, keys in another order, a `toJSON` — goes to
// `JSON.stringify` whole, so the output is always what `JSON.stringify` writes.

/** The event's keys in the order the guard writes them (the schema's order). */
const KEYS: readonly string[] = [
  'version',
  'decisionId',
  'traceId',
  'parentSpanId',
  'time',
  'tool',
  'operation',
  'outcome',
  'code',
  'reason',
  'stage',
  'tenantId',
  'subject',
  'authenticatedBy',
  'agent',
  'actor',
  'tokenId',
  'clientIp',
  'country',
  'userAgent',
  'matchedRules',
  'matchedPolicies',
  'obligations',
  'approvalId',
  'hookFailures',
  'argsDigest',
  'args',
  'masking',
  'latencyMs',
  'timings',
] satisfies readonly (keyof AuditEvent)[];

/**
 * `.001` … `.999` with trailing zeros dropped (`.1`, `.25`), and `''` for 0: the fraction of a
 * number of milliseconds with three decimals, as ECMAScript writes it.
 */
const FRACTIONS: readonly string[] = Array.from({ length: 1000 }, (_, i) =>
  i === 0 ? '' : `.${String(i).padStart(3, '0').replace(/0+$/, '')}`,
);

/**
 * The text before each key's value, by key index: after a value that was closed (`,"key":`),
 * and after a string whose closing quote is still to be written (`","key":`). A string value
 * is appended without its closing quote, which the next key's text (or the end) supplies:
 * one concatenation less per member.
 */
const AFTER_CLOSED: readonly string[] = KEYS.map((key) => `,${JSON.stringify(key)}:`);
const AFTER_OPEN: readonly string[] = KEYS.map((key) => `",${JSON.stringify(key)}:`);
const AFTER_CLOSED_QUOTE: readonly string[] = AFTER_CLOSED.map((text) => `${text}"`);
const AFTER_OPEN_QUOTE: readonly string[] = AFTER_OPEN.map((text) => `${text}"`);

// Indexes into the tables above (`version` is always first and written directly).
const [
  ,
  DECISION_ID,
  TRACE_ID,
  PARENT_SPAN_ID,
  TIME,
  TOOL,
  OPERATION,
  OUTCOME,
  CODE,
  REASON,
  STAGE,
  TENANT_ID,
  SUBJECT,
  AUTHENTICATED_BY,
  AGENT,
  ACTOR,
  TOKEN_ID,
  CLIENT_IP,
  COUNTRY,
  USER_AGENT,
  MATCHED_RULES,
  MATCHED_POLICIES,
  OBLIGATIONS,
  APPROVAL_ID,
  HOOK_FAILURES,
  ARGS_DIGEST,
  ARGS,
  MASKING,
  LATENCY_MS,
  TIMINGS,
] = KEYS.map<number>((_, index) => index);

/** Thrown when a value needs `JSON.stringify` of the whole event (a nested `toJSON`). */
class WholeEventNeeded extends Error {}
const WHOLE = new WholeEventNeeded('serialise the whole event');

/** True while the text written so far ends inside a string value (its closing quote due). */
let open = false;

/** The event as one line of JSON: exactly `JSON.stringify(event)`. */
export function serializeAuditEvent(event: AuditEvent): string {
  const e = event as unknown as Record<string, unknown>;
  if (!knownShape(e)) return JSON.stringify(event);
  // A nested toJSON may serialise another event: keep this call's state across it.
  const outer = open;
  open = false;
  try {
    return fields(e);
  } catch (error) {
    if (error === WHOLE) return JSON.stringify(event);
    throw error;
  } finally {
    open = outer;
  }
}

function fields(e: Record<string, unknown>): string {
  // Appended one member at a time, undefined ones skipped: the fewest concatenations.
  let out = '{"version":' + numberJson(e['version'] as number);
  out = member(out, DECISION_ID!, e['decisionId']);
  out = member(out, TRACE_ID!, e['traceId']);
  out = member(out, PARENT_SPAN_ID!, e['parentSpanId']);
  out = member(out, TIME!, e['time']);
  out = middle(out, e);
  out = member(out, ARGS_DIGEST!, e['argsDigest']);
  out = member(out, ARGS!, e['args']);
  out = member(out, MASKING!, e['masking']);
  out = member(out, LATENCY_MS!, e['latencyMs']);
  out = timings(out, e['timings']);
  return out + (open ? '"}' : '}');
}

/**
 * The members from `tool` to `hookFailures`: who called what, from where, and what matched.
 * Calls of one tool by one caller repeat them event after event, so the text of the last
 * ones is kept with what they were (strings, or what an object is known to be written as),
 * and an event with the same ones reuses it: the text is the same, without a concatenation
 * per member. Anything else is written member by member.
 */
function middle(out: string, e: Record<string, unknown>): string {
  const tool = e['tool'];
  const operation = e['operation'];
  const outcome = e['outcome'];
  const code = e['code'];
  const reason = e['reason'];
  const stage = e['stage'];
  const tenantId = e['tenantId'];
  const subject = e['subject'];
  const authenticatedBy = e['authenticatedBy'];
  const agent = e['agent'];
  const actor = e['actor'];
  const tokenId = e['tokenId'];
  const clientIp = e['clientIp'];
  const country = e['country'];
  const userAgent = e['userAgent'];
  const matchedRules = e['matchedRules'];
  const matchedPolicies = e['matchedPolicies'];
  const obligationsValue = e['obligations'];
  const approvalId = e['approvalId'];
  const hookFailures = e['hookFailures'];
  const last = lastMiddle;
  if (
    last !== undefined &&
    last.openBefore === open &&
    last.tool === tool &&
    last.operation === operation &&
    last.outcome === outcome &&
    last.code === code &&
    last.reason === reason &&
    last.stage === stage &&
    last.tenantId === tenantId &&
    last.subject === subject &&
    last.authenticatedBy === authenticatedBy &&
    last.agent === writtenAs(agent) &&
    last.actor === writtenAs(actor) &&
    last.tokenId === tokenId &&
    last.clientIp === clientIp &&
    last.country === country &&
    last.userAgent === userAgent &&
    last.matchedRules === writtenAs(matchedRules) &&
    last.matchedPolicies === writtenAs(matchedPolicies) &&
    last.obligations === obligationsWrittenAs(obligationsValue) &&
    last.approvalId === approvalId &&
    last.hookFailures === writtenAs(hookFailures)
  ) {
    open = last.openAfter;
    return out + last.text;
  }
  const openBefore = open;
  let text = member('', TOOL!, tool);
  text = member(text, OPERATION!, operation);
  text = member(text, OUTCOME!, outcome);
  text = member(text, CODE!, code);
  text = member(text, REASON!, reason);
  text = member(text, STAGE!, stage);
  text = member(text, TENANT_ID!, tenantId);
  text = member(text, SUBJECT!, subject);
  text = member(text, AUTHENTICATED_BY!, authenticatedBy);
  text = member(text, AGENT!, agent);
  text = member(text, ACTOR!, actor);
  text = member(text, TOKEN_ID!, tokenId);
  text = member(text, CLIENT_IP!, clientIp);
  text = member(text, COUNTRY!, country);
  text = member(text, USER_AGENT!, userAgent);
  text = member(text, MATCHED_RULES!, matchedRules);
  text = member(text, MATCHED_POLICIES!, matchedPolicies);
  text = obligations(text, obligationsValue);
  text = member(text, APPROVAL_ID!, approvalId);
  text = member(text, HOOK_FAILURES!, hookFailures);
  // Kept only once the text is complete (a nested serialisation may run in between), and
  // what the objects are written as is read now: the list cache above knows them by now.
  lastMiddle = {
    openBefore,
    openAfter: open,
    text,
    tool,
    operation,
    outcome,
    code,
    reason,
    stage,
    tenantId,
    subject,
    authenticatedBy,
    agent: kept(writtenAs(agent)),
    actor: kept(writtenAs(actor)),
    tokenId,
    clientIp,
    country,
    userAgent,
    matchedRules: kept(writtenAs(matchedRules)),
    matchedPolicies: kept(writtenAs(matchedPolicies)),
    obligations: kept(obligationsWrittenAs(obligationsValue)),
    approvalId,
    hookFailures: kept(writtenAs(hookFailures)),
  };
  return out + text;
}

/** The last members from `tool` to `hookFailures`, their text, and the open state around it. */
interface Middle {
  readonly openBefore: boolean;
  readonly openAfter: boolean;
  readonly text: string;
  readonly tool: unknown;
  readonly operation: unknown;
  readonly outcome: unknown;
  readonly code: unknown;
  readonly reason: unknown;
  readonly stage: unknown;
  readonly tenantId: unknown;
  readonly subject: unknown;
  readonly authenticatedBy: unknown;
  readonly agent: unknown;
  readonly actor: unknown;
  readonly tokenId: unknown;
  readonly clientIp: unknown;
  readonly country: unknown;
  readonly userAgent: unknown;
  readonly matchedRules: unknown;
  readonly matchedPolicies: unknown;
  readonly obligations: unknown;
  readonly approvalId: unknown;
  readonly hookFailures: unknown;
}

let lastMiddle: Middle | undefined;

/** Stands for any value of its kind, written the same whatever the object. */
const EMPTY_LIST = Symbol('[]');
const EMPTY_OBLIGATIONS = Symbol('empty obligations');
/** An object whose text is not known to stay the same. */
const UNKNOWN = Symbol('unknown');
/** What is kept for {@link UNKNOWN}: a value that no new one is equal to. */
const NEVER = Symbol('never');

function kept(writtenAsValue: unknown): unknown {
  return writtenAsValue === UNKNOWN ? NEVER : writtenAsValue;
}

/**
 * What a member's value is known to be written as, for the comparison in {@link middle}:
 * a primitive is itself (equal primitives are written alike); an object stands for its text
 * only when that text cannot change: an empty list without `toJSON`, or the frozen list of
 * plain strings last written. Any other object is {@link UNKNOWN}, kept as {@link NEVER}: an
 * event with such a member is always written member by member.
 */
function writtenAs(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return UNKNOWN;
    if (value.length === 0) return EMPTY_LIST;
    if (value === lastList && Object.isFrozen(value)) return value;
  }
  return UNKNOWN;
}

function obligationsWrittenAs(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && isEmptyObligations(value)) {
    return EMPTY_OBLIGATIONS;
  }
  return writtenAs(value);
}

/** `out` with the member at `index` appended (a string without its closing quote). */
function member(out: string, index: number, value: unknown): string {
  if (value === undefined) return out;
  if (typeof value === 'string' && (value === lastPlain[index] || isPlainAt(index, value))) {
    const text = out + (open ? AFTER_OPEN_QUOTE[index]! : AFTER_CLOSED_QUOTE[index]!) + value;
    open = true;
    return text;
  }
  const json = valueJson(value);
  return json === undefined ? out : closedMember(out, index, json);
}

/** `out` with the member at `index` appended, its value written in full as `json`. */
function closedMember(out: string, index: number, json: string): string {
  const text = out + (open ? AFTER_OPEN[index]! : AFTER_CLOSED[index]!) + json;
  open = false;
  return text;
}

/**
 * A plain object without `toJSON` whose own keys are schema keys in schema order (any may be
 * missing), `version` first and a number: then writing the schema's keys in order, skipping
 * undefined values, is what `JSON.stringify` does.
 */
function knownShape(e: Record<string, unknown>): boolean {
  if (Object.getPrototypeOf(e) !== Object.prototype || 'toJSON' in e) return false;
  if (typeof e['version'] !== 'number') return false;
  // for-in walks the keys without allocating a list; it also sees inherited enumerable keys,
  // which JSON.stringify ignores: any such key fails the check (the slow path is still exact).
  let next = 0;
  for (const key in e) {
    if (next === 0 && key !== 'version') return false;
    while (next < KEYS.length && KEYS[next] !== key) next++;
    if (next === KEYS.length) return false;
    next++;
  }
  return true;
}

function valueJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return numberJson(value);
    case 'object':
      if (value === null) return 'null';
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        // JSON.stringify passes the key to toJSON; only the whole event gets that right.
        throw WHOLE;
      }
      if (Array.isArray(value)) return arrayJson(value);
      return JSON.stringify(value);
    default:
      // Functions and symbols: undefined (left out); bigints: TypeError, as for the event.
      return JSON.stringify(value);
  }
}

/** Characters JSON.stringify writes as they are: no quote, backslash, control or surrogate. */
// eslint-disable-next-line no-control-regex -- the control characters JSON escapes
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/**
 * True when JSON.stringify writes `text` between quotes as it is (no escape needed). A
 * regular expression: faster here than a loop over the characters.
 */
function isPlain(text: string): boolean {
  return PLAIN.test(text);
}

/**
 * The last string of each key found plain. Most keys repeat from event to event (tool,
 * outcome, tenant, subject, client address…): an equal string skips the check.
 */
const lastPlain: (string | undefined)[] = KEYS.map(() => undefined);

function isPlainAt(index: number, text: string): boolean {
  if (!isPlain(text)) return false;
  lastPlain[index] = text;
  return true;
}

/** The last frozen list of strings written (rule ids repeat), and its JSON. */
let lastList: readonly unknown[] | undefined;
let lastListJson = '';

/** A number as JSON; milliseconds with at most three decimals take the cheap path. */
function numberJson(value: number): string {
  // Below 1e9, a number of whole microseconds has one shortest form, with at most three
  // decimals: what ECMAScript writes for it.
  const micros = Math.round(value * 1000);
  if (value >= 0 && value < 1e9 && micros / 1000 === value) {
    if (micros < 1000) return BELOW_ONE[micros]!;
    const ms = Math.floor(micros / 1000);
    return String(ms) + FRACTIONS[micros - ms * 1000]!;
  }
  return JSON.stringify(value);
}

/** `0`, `0.001` … `0.999`: most stages take less than a millisecond. */
const BELOW_ONE: readonly string[] = FRACTIONS.map((fraction) => `0${fraction}`);

/** `"stage":` (first) and `,"stage":` (next) of the pipeline's stage names, quoted once. */
const STAGE_KEYS = new Map<string, { readonly first: string; readonly next: string }>(
  STAGE_NAMES.map((stage) => [stage, { first: `"${stage}":`, next: `,"${stage}":` }]),
);

/** Empty lists and lists of plain strings (rule ids) written directly. */
function arrayJson(value: readonly unknown[]): string {
  if (value.length === 0) return '[]';
  // A frozen list cannot have changed since it was written.
  if (value === lastList && Object.isFrozen(value)) return lastListJson;
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (typeof item !== 'string' || !isPlain(item)) return JSON.stringify(value);
    out += (i === 0 ? '"' : ',"') + item + '"';
  }
  out += ']';
  if (Object.isFrozen(value)) {
    lastList = value;
    lastListJson = out;
  }
  return out;
}

/** The obligations as the guard records them: empty most of the time. */
function obligations(out: string, value: unknown): string {
  if (typeof value === 'object' && value !== null && isEmptyObligations(value)) {
    return closedMember(out, OBLIGATIONS!, '{"maskProfiles":[],"annotations":{}}');
  }
  return member(out, OBLIGATIONS!, value);
}

function isEmptyObligations(value: object): boolean {
  if (Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) return false;
  const o = value as Record<string, unknown>;
  const profiles = o['maskProfiles'];
  const annotations = o['annotations'];
  if (!Array.isArray(profiles) || profiles.length !== 0 || 'toJSON' in profiles) return false;
  if (!isEmptyPlainObject(annotations)) return false;
  if (o['stepUp'] !== undefined || o['approvalFlow'] !== undefined) return false;
  // The keys the guard writes, in its order (with or without the two undefined ones).
  let index = 0;
  for (const key in value) {
    if (key !== OBLIGATION_KEYS[index]) return false;
    index++;
  }
  return index === 2 || index === 4;
}

const OBLIGATION_KEYS = ['maskProfiles', 'annotations', 'stepUp', 'approvalFlow'];

function isEmptyPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/** Stage timings: a plain object of numbers. */
function timings(out: string, value: unknown): string {
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.getPrototypeOf(value) !== Object.prototype ||
    'toJSON' in value
  ) {
    return member(out, TIMINGS!, value);
  }
  // for-in: no key list allocated, and each read comes from its enumeration cache. With an
  // enumerable key on Object.prototype (which for-in would see and JSON.stringify skip), the
  // slow path.
  if (hasEnumerableInherited()) return member(out, TIMINGS!, value);
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key in record) {
    const ms = record[key];
    if (ms === undefined) continue;
    if (typeof ms !== 'number') return member(out, TIMINGS!, value);
    const stage = STAGE_KEYS.get(key);
    let quoted: string;
    if (stage !== undefined) {
      quoted = text.length === 1 ? stage.first : stage.next;
    } else {
      if (!isPlain(key)) return member(out, TIMINGS!, value);
      quoted = text.length === 1 ? `"${key}":` : `,"${key}":`;
    }
    text += quoted + numberJson(ms);
  }
  return closedMember(out, TIMINGS!, text + '}');
}

/** True when Object.prototype has an enumerable key (someone added one): for-in would see it. */
function hasEnumerableInherited(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}
