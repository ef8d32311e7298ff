import type { ToolInfo } from '@agentguard/core';
import {
  policyForTool,
  toolFacts,
  type CompileSettings,
  type CompiledPolicy,
} from './compiled-policy.js';
import { shareTests } from './shared-tests.js';

const EMPTY: readonly CompiledPolicy[] = Object.freeze([]);

/**
 * Most tools a set prepares a list for (tool facts folded, shared tests). Core registers each
 * tool once; a caller that makes a new tool object per call gets only the targeting past this
 * bound, not that preparation on every call.
 */
const MAX_PREPARED_TOOLS = 256;

/** An ordered set of compiled policies, with the targeted subset cached per tool. */
export class PolicySet {
  /** Every policy, disabled ones included (for `explain`). */
  readonly all: readonly CompiledPolicy[];
  readonly #active: readonly CompiledPolicy[];
  readonly #byTool = new WeakMap<ToolInfo, readonly CompiledPolicy[]>();
  readonly #settings: CompileSettings | undefined;
  #prepared = 0;

  /** With `settings`, the tool's facts are folded into the conditions (see `policyForTool`). */
  constructor(policies: readonly CompiledPolicy[], settings?: CompileSettings) {
    this.all = policies;
    this.#active = policies.filter((p) => p.state !== 'disabled');
    this.#settings = settings;
  }

  /**
   * The enabled and monitor policies that target `tool` and whose condition can hold for it,
   * in order.
   */
  forTool(tool: ToolInfo): readonly CompiledPolicy[] {
    let list = this.#byTool.get(tool);
    if (list === undefined) {
      let targeted = this.#active.filter((p) => p.targets(tool));
      if (targeted.length > 0 && this.#prepared < MAX_PREPARED_TOOLS) {
        this.#prepared += 1;
        const settings = this.#settings;
        const facts = settings ? toolFacts(tool) : undefined;
        if (settings && facts) {
          targeted = targeted.flatMap((p) => policyForTool(p, facts, settings) ?? []);
        }
        targeted = withSharedTests(targeted);
      }
      list = targeted.length === 0 ? EMPTY : targeted;
      this.#byTool.set(tool, list);
    }
    return list;
  }
}

/** The policies, with the tests several of them have in common run once per call. */
function withSharedTests(policies: readonly CompiledPolicy[]): CompiledPolicy[] {
  const conditional = policies.filter((p) => p.conjuncts !== undefined);
  if (conditional.length < 2) return [...policies];
  const shared = shareTests(conditional.map((p) => p.conjuncts!));
  const tests = new Map(conditional.map((p, i) => [p, shared[i]!]));
  return policies.map((p) => {
    const own = tests.get(p);
    // A copy only for a policy that has a shared test.
    return own === undefined || own.every((test, i) => test === p.tests?.[i])
      ? p
      : { ...p, tests: own };
  });
}

/** An empty set. */
export const EMPTY_SET = new PolicySet([]);
