import { BUILTIN_OPERATORS } from '../operation-registry.js';
import type { Conjunct, Test } from './compiler.js';

// Tests that several policies of a set share (`{"in": ["admin", {"var": "principal.roles"}]}`
// in twenty policies) run once per call: the first result is kept for the rest of the call.
// Calls are numbered; a kept result is valid only for the call that computed it. A call made
// from inside another (a custom operation that evaluates policies) gets its own number, and
// the outer call's number is restored after it.

let current = 0;
let issued = 0;

/** Numbers a new call; pass the result to {@link endCall} when it is done. */
export function beginCall(): number {
  const outer = current;
  issued += 1;
  current = issued;
  return outer;
}

/** Restores the number of the call that was running before {@link beginCall}. */
export function endCall(outer: number): void {
  current = outer;
}

/** Whether a rule uses only json-logic's own operators (pure: same input, same result). */
function pure(rule: unknown): boolean {
  if (Array.isArray(rule)) return rule.every(pure);
  if (typeof rule !== 'object' || rule === null) return true;
  const keys = Object.keys(rule);
  if (keys.length !== 1) return true;
  return BUILTIN_OPERATORS.has(keys[0]!) && pure((rule as Record<string, unknown>)[keys[0]!]);
}

/**
 * Replaces the tests that occur in more than one list by ones that run once per call (see
 * above). Custom operations are never shared: they are not known to be pure.
 */
export function shareTests(lists: readonly (readonly Conjunct[])[]): readonly Test[][] {
  const counts = new Map<string, number>();
  const keys = lists.map((list) =>
    list.map((conjunct) => {
      if (!pure(conjunct.rule)) return undefined;
      const key = JSON.stringify(conjunct.rule);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return key;
    }),
  );
  const slots = new Map<string, number>();
  for (const [key, count] of counts) if (count > 1) slots.set(key, slots.size);
  const stamps = new Float64Array(slots.size).fill(-1);
  const results = new Uint8Array(slots.size);
  const shared = new Map<number, Test>();
  return lists.map((list, i) =>
    list.map((conjunct, j) => {
      const key = keys[i]![j];
      const slot = key === undefined ? undefined : slots.get(key);
      if (slot === undefined) return conjunct.test;
      let test = shared.get(slot);
      if (!test) {
        const run = conjunct.test;
        test = (input) => {
          if (stamps[slot] === current) return results[slot] === 1;
          const result = run(input);
          stamps[slot] = current;
          results[slot] = result ? 1 : 0;
          return result;
        };
        shared.set(slot, test);
      }
      return test;
    }),
  );
}
