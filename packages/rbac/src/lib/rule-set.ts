import { ok, type AccessGrant, type StageResult } from '@agentguard/core';
import type { RbacTool } from '../access-rule.js';
import { BoundedMap } from './bounded-map.js';
import { listOrEmpty } from './check.js';
import { mismatch, type CompiledRule, type ToolFacts } from './compile-rules.js';

/** The rules that one principal value satisfies for one tool, with the answer prebuilt. */
export interface Grant {
  readonly ruleIds: readonly string[];
  /** Shared, frozen `ok({ matchedRules })`: the allowed path allocates nothing. */
  readonly result: StageResult<AccessGrant>;
  /** This grant merged with another of the same tool (a principal with several roles). */
  merges: Map<Grant, Grant> | undefined;
  /** This global grant combined with a tenant grant; weak, so tenant entries can go. */
  withTenant: WeakMap<Grant, StageResult<AccessGrant>> | undefined;
}

/** Most merges remembered per grant: role combinations come from tokens, keep them bounded. */
const MAX_MERGES = 16;

/** Everything the hot path needs to know about one tool, computed once per tool. */
export interface ToolEntry extends ToolFacts {
  /** The tool this entry was compiled from. */
  readonly source: RbacTool;
  /** The tags array this entry was built from, for a cheap identity check. */
  readonly tagsRef: readonly string[] | undefined;
  /** The rules that target the tool, in declaration order. */
  readonly targeting: readonly CompiledRule[];
  /** Principal role (holders included) or permission → the rules it satisfies. */
  readonly grants: ReadonlyMap<string, Grant>;
}

/**
 * One rule set (the global rules, or one tenant's) with its per-tool cache. Tools the guard
 * registers are pinned; other tools go to a bounded cache, so arbitrary tool names passed by
 * an adapter cannot grow memory without limit.
 */
export class RuleSet {
  readonly #rules: CompiledRule[] = [];
  readonly #pinned = new Map<string, ToolEntry>();
  readonly #cache: BoundedMap<string, ToolEntry>;

  constructor(rules: readonly CompiledRule[], cacheSize: number) {
    this.#rules.push(...rules);
    this.#cache = new BoundedMap(cacheSize);
  }

  get rules(): readonly CompiledRule[] {
    return this.#rules;
  }

  /** The entry of `tool`, compiled on first sight. */
  lookup(tool: RbacTool): ToolEntry {
    const name = tool.name;
    let entry = this.#pinned.get(name);
    if (entry !== undefined && sameTool(entry, tool)) return entry;
    entry = this.#cache.get(name);
    if (entry !== undefined && sameTool(entry, tool)) return entry;
    entry = this.#compile(tool);
    this.#cache.set(name, entry);
    return entry;
  }

  /** Compiles `tool` now and keeps its entry for the life of the rule set. */
  pin(tool: RbacTool): ToolEntry {
    const entry = this.#compile(tool);
    this.#pinned.set(tool.name, entry);
    return entry;
  }

  /** Adds rules and rebuilds what was cached. */
  add(rules: readonly CompiledRule[]): void {
    this.#rules.push(...rules);
    this.#cache.clear();
    for (const entry of [...this.#pinned.values()]) this.pin(entry.source);
  }

  #compile(tool: RbacTool): ToolEntry {
    const tags = Object.freeze([...listOrEmpty(tool.tags)]);
    const facts: ToolFacts = { name: tool.name, operation: tool.operation, tags };
    const targeting = this.#rules.filter((rule) => mismatch(rule, facts) === undefined);
    const byValue = new Map<string, string[]>();
    for (const rule of targeting) {
      for (const value of rule.satisfiedBy) {
        const ids = byValue.get(value);
        if (ids === undefined) byValue.set(value, [rule.id]);
        else ids.push(rule.id);
      }
    }
    // Values that satisfy the same rules share one Grant, so a principal holding several of
    // them is recognised as one grant without merging.
    const shared = new Map<string, Grant>();
    const grants = new Map<string, Grant>();
    for (const [value, ids] of byValue) {
      const key = ids.join(' ');
      let grant = shared.get(key);
      if (grant === undefined) {
        grant = newGrant(Object.freeze(ids));
        shared.set(key, grant);
      }
      grants.set(value, grant);
    }
    return {
      ...facts,
      source: tool,
      tagsRef: tool.tags,
      targeting: Object.freeze(targeting),
      grants,
    };
  }
}

/**
 * The grant a principal holding `values` gets for the tool: the rules satisfied by any of its
 * values, in declaration order, or `undefined` when none is. O(values) map lookups; merges of
 * several grants are computed once and remembered.
 */
export function grantFor(entry: ToolEntry, values: readonly string[]): Grant | undefined {
  const grants = entry.grants;
  let held: Grant | undefined;
  for (let i = 0; i < values.length; i++) {
    const grant = grants.get(values[i]!);
    if (grant === undefined || grant === held) continue;
    held = held === undefined ? grant : merge(entry, held, grant);
  }
  return held;
}

/** `global` combined with the tenant's `narrowed`: both lists of rules, global first. */
export function combine(global: Grant, narrowed: Grant): StageResult<AccessGrant> {
  let result = global.withTenant?.get(narrowed);
  if (result === undefined) {
    const ruleIds = Object.freeze([...global.ruleIds, ...narrowed.ruleIds]);
    result = Object.freeze(ok(Object.freeze({ matchedRules: ruleIds })));
    (global.withTenant ??= new WeakMap()).set(narrowed, result);
  }
  return result;
}

function merge(entry: ToolEntry, a: Grant, b: Grant): Grant {
  const known = a.merges?.get(b);
  if (known !== undefined) return known;
  const ids = new Set(a.ruleIds);
  for (const id of b.ruleIds) ids.add(id);
  let merged: Grant;
  if (ids.size === a.ruleIds.length) merged = a;
  else if (ids.size === b.ruleIds.length) merged = b;
  else {
    merged = newGrant(Object.freeze(entry.targeting.filter((r) => ids.has(r.id)).map((r) => r.id)));
  }
  const merges = (a.merges ??= new Map());
  if (merges.size < MAX_MERGES) merges.set(b, merged);
  return merged;
}

function newGrant(ruleIds: readonly string[]): Grant {
  return {
    ruleIds,
    result: Object.freeze(ok(Object.freeze({ matchedRules: ruleIds }))),
    merges: undefined,
    withTenant: undefined,
  };
}

function sameTool(entry: ToolEntry, tool: RbacTool): boolean {
  if (entry.operation !== tool.operation) return false;
  const tags = tool.tags;
  if (entry.tagsRef === tags) return true;
  const list = listOrEmpty(tags);
  if (list.length !== entry.tags.length) return false;
  for (let i = 0; i < list.length; i++) if (list[i] !== entry.tags[i]) return false;
  return true;
}
