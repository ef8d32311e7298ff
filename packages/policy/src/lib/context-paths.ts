import type { EvaluationContext } from '../evaluation-context.js';
import { compileVarPath } from './semantics.js';

type Getter = (data: unknown) => unknown;
type C = EvaluationContext;

// One function literal per path: each property load stays monomorphic, which a shared generic
// reader (a megamorphic keyed load plus an own-property check) cannot be. Only valid for data
// built by `evaluationContext` (plain own properties, no functions), which is all the engine
// ever passes to conditions.
const KNOWN: ReadonlyMap<string, Getter> = new Map<string, Getter>([
  ['principal', (c) => (c as C).principal],
  ['principal.subject', (c) => (c as C).principal.subject],
  ['principal.tenant', (c) => (c as C).principal.tenant],
  ['principal.roles', (c) => (c as C).principal.roles],
  ['principal.permissions', (c) => (c as C).principal.permissions],
  ['principal.scopes', (c) => (c as C).principal.scopes],
  ['principal.agent', (c) => (c as C).principal.agent],
  ['principal.agent.id', (c) => (c as C).principal.agent?.id],
  ['principal.agent.sponsor', (c) => (c as C).principal.agent?.sponsor],
  ['principal.agent.riskTier', (c) => (c as C).principal.agent?.riskTier],
  ['principal.acr', (c) => (c as C).principal.acr],
  ['principal.amr', (c) => (c as C).principal.amr],
  ['principal.authTime', (c) => (c as C).principal.authTime],
  ['tool', (c) => (c as C).tool],
  ['tool.name', (c) => (c as C).tool.name],
  ['tool.operation', (c) => (c as C).tool.operation],
  ['tool.tags', (c) => (c as C).tool.tags],
  ['tool.sensitivity', (c) => (c as C).tool.sensitivity],
  ['request', (c) => (c as C).request],
  ['request.time', (c) => (c as C).request.time],
  ['request.ip', (c) => (c as C).request.ip],
  ['request.country', (c) => (c as C).request.country],
  ['request.userAgent', (c) => (c as C).request.userAgent],
  ['args', (c) => (c as C).args],
]);

/**
 * A direct getter for a literal `var` path into an evaluation context, or undefined when the
 * path needs the generic reader. Getters return `undefined` for "not found".
 */
export function contextPath(segments: readonly string[]): Getter | undefined {
  const known = KNOWN.get(segments.join('.'));
  if (known) return known;
  if (segments[0] === 'args' && segments.length > 1) {
    // The arguments are caller data: read them with the generic, own-property-only reader.
    const rest = compileVarPath(segments.slice(1));
    return (c) => rest((c as C).args, undefined);
  }
  return undefined;
}
