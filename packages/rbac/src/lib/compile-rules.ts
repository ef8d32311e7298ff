import { GuardConfigError, compileToolPatterns, type ToolMatcher } from '@agentguard/core';
import type { RbacMode } from '../access-rule.js';
import { checkName, checkNameList, isPlainObject, MAX_NAME_LENGTH } from './check.js';
import type { CompiledHierarchy } from './role-hierarchy.js';

/** A validated rule, ready to match tools. */
export interface CompiledRule {
  readonly id: string;
  readonly scope: 'global' | 'tenant';
  /** Absent when the rule does not look at names. */
  readonly matchName: ToolMatcher | undefined;
  /** Absent when the rule does not look at tags. */
  readonly tags: ReadonlySet<string> | undefined;
  /** Absent when the rule targets every operation. */
  readonly operations: ReadonlySet<string> | undefined;
  /** The principal roles (holders included) or permissions that satisfy the rule. */
  readonly satisfiedBy: ReadonlySet<string>;
}

/** A tool as rules see it, tags normalised to a list. */
export interface ToolFacts {
  readonly name: string;
  readonly operation: string;
  readonly tags: readonly string[];
}

/** Where compiled rules go and what they must not clash with. */
export interface RuleContext {
  readonly mode: RbacMode;
  readonly hierarchy: CompiledHierarchy;
  readonly scope: 'global' | 'tenant';
  /** Every rule id already taken; ids of the new rules are added to it. */
  readonly ids: Set<string>;
}

/** Rule ids are recorded in audit events: keep them short and plain. */
const RULE_ID = /^[A-Za-z0-9_.:@/-]{1,128}$/;
const OPERATIONS = new Set(['read', 'write', 'delete']);
const TARGET_FIELDS = new Set(['id', 'tools', 'tags', 'operations', 'description']);

/**
 * Validates rules and compiles their patterns. Unknown fields, rules of the other mode,
 * empty lists and duplicate ids are refused with the path of the mistake.
 */
export function compileRules(input: unknown, path: string, context: RuleContext): CompiledRule[] {
  if (!Array.isArray(input)) throw new GuardConfigError('must be a list of rules', { path });
  const grantField = context.mode === 'roles' ? 'roles' : 'permissions';
  const otherField = context.mode === 'roles' ? 'permissions' : 'roles';
  return input.map((raw: unknown, index) => {
    const at = `${path}[${index}]`;
    if (!isPlainObject(raw)) throw new GuardConfigError('a rule must be an object', { path: at });
    for (const key of Object.keys(raw)) {
      if (key === otherField) {
        throw new GuardConfigError(
          `a ${context.mode} rule set refuses ${otherField === 'roles' ? 'role' : 'permission'} rules`,
          { path: `${at}.${key}` },
        );
      }
      if (key !== grantField && !TARGET_FIELDS.has(key)) {
        throw new GuardConfigError(`unknown field ${JSON.stringify(key)}`, {
          path: `${at}.${key}`,
        });
      }
    }
    const id = raw['id'];
    if (typeof id !== 'string' || !RULE_ID.test(id)) {
      throw new GuardConfigError('id must be 1-128 of [A-Za-z0-9_.:@/-]', { path: `${at}.id` });
    }
    if (context.ids.has(id)) {
      throw new GuardConfigError(`rule id ${id} is already used`, { path: `${at}.id` });
    }
    const description = raw['description'];
    if (description !== undefined && typeof description !== 'string') {
      throw new GuardConfigError('must be a string', { path: `${at}.description` });
    }
    const tools = optionalList(raw['tools'], `${at}.tools`, 'tool pattern');
    const tags = optionalList(raw['tags'], `${at}.tags`, 'tag');
    if (tools === undefined && tags === undefined) {
      throw new GuardConfigError('a rule needs tools or tags (use tools: ["*"] for every tool)', {
        path: at,
      });
    }
    const operations = optionalList(raw['operations'], `${at}.operations`, 'operation');
    operations?.forEach((operation, i) => {
      if (!OPERATIONS.has(operation)) {
        throw new GuardConfigError('operation must be read, write or delete', {
          path: `${at}.operations[${i}]`,
        });
      }
    });
    if (raw[grantField] === undefined) {
      throw new GuardConfigError(`a ${context.mode} rule needs ${grantField}`, {
        path: `${at}.${grantField}`,
      });
    }
    const grants = checkNameList(
      raw[grantField],
      `${at}.${grantField}`,
      context.mode === 'roles' ? 'role' : 'permission',
    );
    const satisfiedBy = new Set<string>();
    for (const grant of grants) {
      if (context.mode === 'roles') {
        for (const holder of context.hierarchy.holders(grant)) satisfiedBy.add(holder);
      } else {
        satisfiedBy.add(grant);
      }
    }
    context.ids.add(id);
    return {
      id,
      scope: context.scope,
      matchName: tools === undefined ? undefined : compileToolPatterns(tools),
      tags: tags === undefined ? undefined : new Set(tags),
      operations: operations === undefined ? undefined : new Set(operations),
      satisfiedBy,
    };
  });
}

/**
 * Why `rule` does not target `tool` (the first criterion that fails), or `undefined` when it
 * does. Shared by the hot path's per-tool compilation and by `explain`, so both agree.
 */
export function mismatch(
  rule: CompiledRule,
  tool: ToolFacts,
): 'name' | 'operation' | 'tags' | undefined {
  if (rule.matchName !== undefined && !rule.matchName(tool.name)) return 'name';
  if (rule.operations !== undefined && !rule.operations.has(tool.operation)) return 'operation';
  if (rule.tags !== undefined) {
    const wanted = rule.tags;
    if (!tool.tags.some((tag) => wanted.has(tag))) return 'tags';
  }
  return undefined;
}

function optionalList(value: unknown, path: string, what: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  return checkNameList(value, path, what, what === 'tool pattern' ? MAX_NAME_LENGTH : 128);
}

/** Throws unless `value` is a usable tenant id. */
export function checkTenantId(value: string, path: string): void {
  checkName(value, path, 'tenant id', MAX_NAME_LENGTH);
}
