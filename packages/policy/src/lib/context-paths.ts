import type { PolicyInput } from '@agentguard/core';
import { evaluationContext } from '../evaluation-context.js';
import type { Evaluate, RootAccess, Test } from './compiler.js';
import { compileVarPath, inOp, readOwn } from './semantics.js';

type I = PolicyInput;

const NO_METHODS: readonly string[] = Object.freeze([]);

// Conditions compiled by the engine read the call input directly: each literal `var` path of
// the evaluation context maps to a getter over `PolicyInput` that returns what the context
// would hold there (`undefined` when the context would not have the fact). One function
// literal per path keeps each property load monomorphic; no context is built per call.
const KNOWN: ReadonlyMap<string, Evaluate> = new Map<string, Evaluate>([
  ['principal.subject', (i) => (i as I).principal.subject],
  ['principal.tenant', (i) => (i as I).principal.tenantId],
  ['principal.roles', (i) => (i as I).principal.roles],
  ['principal.permissions', (i) => (i as I).principal.permissions],
  ['principal.scopes', (i) => (i as I).principal.scopes],
  ['principal.agent.id', (i) => (i as I).principal.agent?.id],
  ['principal.agent.sponsor', (i) => (i as I).principal.agent?.sponsor],
  ['principal.agent.riskTier', (i) => (i as I).principal.agent?.riskTier],
  ['principal.acr', (i) => (i as I).principal.authLevel.acr],
  ['principal.amr', (i) => (i as I).principal.authLevel.amr ?? NO_METHODS],
  ['principal.authTime', (i) => (i as I).principal.authLevel.authTime],
  ['tool.name', (i) => (i as I).tool.name],
  ['tool.operation', (i) => (i as I).tool.operation],
  ['tool.tags', (i) => (i as I).tool.tags],
  ['tool.sensitivity', (i) => (i as I).tool.sensitivity],
  ['tool.annotations', (i) => (i as I).tool.annotations],
  ['request.time', (i) => (i as I).now],
  ['request.ip', (i) => (i as I).context.ip],
  ['request.country', (i) => (i as I).context.country],
  ['request.userAgent', (i) => (i as I).context.userAgent],
  ['args', (i) => (i as I).args],
]);

type Fused = (k: unknown) => Test;

// `path == k` with the read written out (one function literal per path, like the getters
// above): the comparison costs no call. A missing fact is `undefined`, and `undefined == k` is
// `null == k` for every k, as json-logic-js's `null` default gives.
const EQUALS: ReadonlyMap<string, Fused> = new Map<string, Fused>([
  ['principal.subject', (k) => (i) => (i as I).principal.subject == k],
  ['principal.tenant', (k) => (i) => (i as I).principal.tenantId == k],
  ['principal.agent.id', (k) => (i) => (i as I).principal.agent?.id == k],
  ['principal.agent.sponsor', (k) => (i) => (i as I).principal.agent?.sponsor == k],
  ['principal.agent.riskTier', (k) => (i) => (i as I).principal.agent?.riskTier == k],
  ['principal.acr', (k) => (i) => (i as I).principal.authLevel.acr == k],
  ['tool.name', (k) => (i) => (i as I).tool.name == k],
  ['tool.operation', (k) => (i) => (i as I).tool.operation == k],
  ['tool.sensitivity', (k) => (i) => (i as I).tool.sensitivity == k],
  ['request.ip', (k) => (i) => (i as I).context.ip == k],
  ['request.country', (k) => (i) => (i as I).context.country == k],
  ['request.userAgent', (k) => (i) => (i as I).context.userAgent == k],
]);

/** `k in list`, as json-logic-js's `in` (a list, a string, or anything else: false). */
function within(list: unknown, k: unknown): boolean {
  return Array.isArray(list) ? list.indexOf(k) !== -1 : inOp(k, list ?? null);
}

// `k in path` for the list facts.
const CONTAINS: ReadonlyMap<string, Fused> = new Map<string, Fused>([
  ['principal.roles', (k) => (i) => within((i as I).principal.roles, k)],
  ['principal.permissions', (k) => (i) => within((i as I).principal.permissions, k)],
  ['principal.scopes', (k) => (i) => within((i as I).principal.scopes, k)],
  ['principal.amr', (k) => (i) => within((i as I).principal.authLevel.amr ?? NO_METHODS, k)],
  ['tool.tags', (k) => (i) => within((i as I).tool.tags, k)],
]);

/** The evaluation context of a call input, for readers that need the whole data. */
function contextOf(input: unknown): unknown {
  return evaluationContext(input as I);
}

/** A getter over the call input for a literal path; `undefined` means "not found". */
function inputPath(segments: readonly string[]): Evaluate {
  if (segments.length === 2 && segments[0] === 'args') {
    // The commonest data read (`args.amount`), with the arguments read in place.
    const key = segments[1]!;
    return (input) => {
      const args = (input as I).args;
      return args === undefined || args === null ? undefined : readOwn(args, key);
    };
  }
  // The longest known prefix; what follows is data (arguments, annotations, list items), read
  // with the generic own-property-only reader.
  for (let n = Math.min(segments.length, 3); n >= 1; n -= 1) {
    const known = KNOWN.get(segments.slice(0, n).join('.'));
    if (!known) continue;
    if (n === segments.length) return known;
    if (n === segments.length - 1) {
      // The common case (`args.amount`): one property of a fact, read without another call.
      const key = segments[n]!;
      return (input) => {
        const value = known(input);
        return value === undefined || value === null ? undefined : readOwn(value, key);
      };
    }
    const rest = compileVarPath(segments.slice(n));
    return (input) => {
      const value = known(input);
      return value === undefined || value === null ? undefined : rest(value);
    };
  }
  // Whole objects (`principal`, `tool`, `request`, `principal.agent`) and facts the context
  // does not have: read from the context itself, built for this read only.
  const generic = compileVarPath(segments);
  return (input) => generic(contextOf(input));
}

/** How engine conditions read a `PolicyInput` as if it were its evaluation context. */
export const INPUT_ACCESS: RootAccess = Object.freeze({
  path: inputPath,
  data: contextOf,
  equals: (path: string, k: unknown) => EQUALS.get(path)?.(k),
  contains: (path: string, k: unknown) => CONTAINS.get(path)?.(k),
});
