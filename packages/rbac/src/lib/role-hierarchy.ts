import { GuardConfigError } from '@agentguard/core';
import { checkName, isPlainObject, MAX_NAME_LENGTH } from './check.js';

/**
 * The validated hierarchy, precomputed both ways: which roles each role inherits, and which
 * roles satisfy a rule that names a role (the role itself and every role inheriting it).
 */
export interface CompiledHierarchy {
  /** Role → roles it inherits, transitively (without itself). */
  readonly inherits: ReadonlyMap<string, readonly string[]>;
  /** Role → roles that hold it: itself first, then every role inheriting it. */
  holders(role: string): readonly string[];
}

const EMPTY: CompiledHierarchy = {
  inherits: new Map(),
  holders: (role) => [role],
};

/**
 * Validates a role hierarchy and computes its transitive closure once. Rejects a cycle with
 * the cycle named (`a -> b -> a`).
 */
export function compileHierarchy(input: unknown, path: string): CompiledHierarchy {
  if (input === undefined) return EMPTY;
  if (!isPlainObject(input)) {
    throw new GuardConfigError('must be an object mapping a role to the roles it inherits', {
      path,
    });
  }
  const direct = new Map<string, readonly string[]>();
  for (const [role, inherited] of Object.entries(input)) {
    checkName(role, path, 'role', MAX_NAME_LENGTH);
    const at = `${path}.${role}`;
    if (!Array.isArray(inherited)) {
      throw new GuardConfigError('must be a list of roles', { path: at });
    }
    const list = new Set<string>();
    inherited.forEach((child: unknown, i) => {
      checkName(child, `${at}[${i}]`, 'role', MAX_NAME_LENGTH);
      list.add(child);
    });
    direct.set(role, [...list]);
  }

  // Depth-first closure with cycle detection: `visiting` holds the current chain.
  const inherits = new Map<string, readonly string[]>();
  const visiting: string[] = [];
  const closure = (role: string): readonly string[] => {
    const done = inherits.get(role);
    if (done) return done;
    const at = visiting.indexOf(role);
    if (at !== -1) {
      const cycle = [...visiting.slice(at), role].join(' -> ');
      throw new GuardConfigError(`role hierarchy has a cycle: ${cycle}`, { path });
    }
    visiting.push(role);
    const all = new Set<string>();
    for (const child of direct.get(role) ?? []) {
      all.add(child);
      for (const grandchild of closure(child)) all.add(grandchild);
    }
    visiting.pop();
    const result = Object.freeze([...all]);
    inherits.set(role, result);
    return result;
  };
  for (const role of direct.keys()) closure(role);

  const holders = new Map<string, string[]>();
  for (const [role, inherited] of inherits) {
    for (const child of inherited) {
      let list = holders.get(child);
      if (!list) holders.set(child, (list = [child]));
      list.push(role);
    }
  }
  return {
    inherits,
    holders: (role) => holders.get(role) ?? [role],
  };
}
