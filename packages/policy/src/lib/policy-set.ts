import type { ToolInfo } from '@agentguard/core';
import type { CompiledPolicy } from './compiled-policy.js';

const EMPTY: readonly CompiledPolicy[] = Object.freeze([]);

/** An ordered set of compiled policies, with the targeted subset cached per tool. */
export class PolicySet {
  /** Every policy, disabled ones included (for `explain`). */
  readonly all: readonly CompiledPolicy[];
  readonly #active: readonly CompiledPolicy[];
  readonly #byTool = new WeakMap<ToolInfo, readonly CompiledPolicy[]>();

  constructor(policies: readonly CompiledPolicy[]) {
    this.all = policies;
    this.#active = policies.filter((p) => p.state !== 'disabled');
  }

  /** The enabled and monitor policies that target `tool`, in order. */
  forTool(tool: ToolInfo): readonly CompiledPolicy[] {
    let list = this.#byTool.get(tool);
    if (list === undefined) {
      const targeted = this.#active.filter((p) => p.targets(tool));
      list = targeted.length === 0 ? EMPTY : targeted;
      this.#byTool.set(tool, list);
    }
    return list;
  }
}

/** An empty set. */
export const EMPTY_SET = new PolicySet([]);
