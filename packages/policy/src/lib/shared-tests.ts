import { BUILTIN_OPERATORS } from '../operation-registry.js';
import type { PolicyInput } from '@agentguard/core';
import type { Conjunct } from './compiler.js';

// Tests that several policies of a set share (`{"in": ["admin", {"var": "principal.roles"}]}`
// in twenty policies) run once per call: the first result is kept for the rest of the call.
// Every call gets a new number, passed to the tests along with the input; a kept result is
// valid only for the call that computed it (a call made from inside another, by a custom
// operation that evaluates policies, has its own number and cannot mix its results in).

/** A test of a policy's condition, told which call it runs for. */
export type CallTest = (input: PolicyInput, call: number) => boolean;

let issued = 0;

/** A new call number. */
export function nextCall(): number {
  issued += 1;
  return issued;
}

/**
 * Fewest policies that must have a test in common before it is shared: keeping a result costs
 * about as much as a simple comparison, so a test shared by two or three policies (most of
 * which stop before reaching it) is cheaper to run again.
 */
const MIN_SHARERS = 4;

/** Whether a rule uses only json-logic's own operators (pure: same input, same result). */
function pure(rule: unknown): boolean {
  if (Array.isArray(rule)) return rule.every(pure);
  if (typeof rule !== 'object' || rule === null) return true;
  const keys = Object.keys(rule);
  if (keys.length !== 1) return true;
  return BUILTIN_OPERATORS.has(keys[0]!) && pure((rule as Record<string, unknown>)[keys[0]!]);
}

const KEYS = new WeakMap<Conjunct, string | null>();

/** The text of a test's rule (the same for equal rules), or undefined when it is not pure. */
function keyOf(conjunct: Conjunct): string | undefined {
  let key = KEYS.get(conjunct);
  if (key === undefined) {
    key = pure(conjunct.rule) ? JSON.stringify(conjunct.rule) : null;
    KEYS.set(conjunct, key);
  }
  return key ?? undefined;
}

/**
 * Replaces the tests that occur in at least `MIN_SHARERS` lists by ones that run once per
 * call (see above). Custom operations are never shared: they are not known to be pure.
 */
export function shareTests(lists: readonly (readonly Conjunct[])[]): readonly CallTest[][] {
  const counts = new Map<string, number>();
  const keys = lists.map((list) =>
    list.map((conjunct) => {
      const key = keyOf(conjunct);
      if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
      return key;
    }),
  );
  const slots = new Map<string, number>();
  for (const [key, count] of counts) if (count >= MIN_SHARERS) slots.set(key, slots.size);
  const stamps = new Float64Array(slots.size).fill(-1);
  const results = new Uint8Array(slots.size);
  const shared = new Map<number, CallTest>();
  return lists.map((list, i) =>
    list.map((conjunct, j) => {
      const key = keys[i]![j];
      const slot = key === undefined ? undefined : slots.get(key);
      if (slot === undefined) return conjunct.test;
      let test = shared.get(slot);
      if (!test) {
        const run = conjunct.test;
        test = (input, call) => {
          if (stamps[slot] === call) return results[slot] === 1;
          const result = run(input);
          stamps[slot] = call;
          results[slot] = result ? 1 : 0;
          return result;
        };
        shared.set(slot, test);
      }
      return test;
    }),
  );
}
