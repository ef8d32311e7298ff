import {
  ForbiddenError,
  GuardConfigError,
  fail,
  type AccessControl,
  type AccessGrant,
  type Logger,
  type MetricsListener,
  type Principal,
  type StageResult,
} from '@agentguard/core';
import type {
  PermissionRule,
  RbacMode,
  RbacTool,
  RoleHierarchy,
  RoleRule,
  RuleOf,
} from './access-rule.js';
import type { RbacDenyReason, RbacExplanation } from './rbac-explanation.js';
import { checkName, checkPositiveInteger, isPlainObject, listOrEmpty } from './lib/check.js';
import { checkTenantId, compileRules, type CompiledRule } from './lib/compile-rules.js';
import { explainAccess } from './lib/explain-access.js';
import { compileHierarchy, type CompiledHierarchy } from './lib/role-hierarchy.js';
import { RuleSet, combine, grantFor } from './lib/rule-set.js';

/** Options shared by both modes of {@link rbac}. */
export interface RbacCommonOptions {
  /**
   * Tools to check at construction: a `write` or `delete` tool that no global rule covers is
   * reported as a warning (to `logger` and `metrics`). The guard also reports every tool it
   * registers through `toolRegistered`. Default: none.
   */
  readonly tools?: readonly RbacTool[] | undefined;
  /** Receives the uncovered-tool warnings. Default: none (nothing is printed). */
  readonly logger?: Logger | undefined;
  /** Receives the uncovered-tool warnings as `{ type: 'warning', source: 'rbac' }` events. */
  readonly metrics?: MetricsListener | undefined;
  /** Name of the stage, as `AccessControl.name`. Default `rbac`. */
  readonly name?: string | undefined;
  /**
   * Most roles (roles mode) or permissions (permissions mode) a principal may carry; a
   * principal with more is refused (`too_many_roles` / `too_many_permissions`) instead of
   * costing time in proportion. Default 1,024.
   */
  readonly maxPrincipalValues?: number | undefined;
  /**
   * Most per-tool decisions cached per rule set for tools the guard did not register (those
   * it registers are always kept). Default 10,000.
   */
  readonly cacheSize?: number | undefined;
}

/** Options of {@link rbac} for a rule set that maps tools to roles. */
export interface RoleRbacOptions extends RbacCommonOptions {
  /** Fixed for the life of the rule set: only role rules are accepted. */
  readonly mode: 'roles';
  /** Global rules. A tool that no rule targets is denied. */
  readonly rules: readonly RoleRule[];
  /**
   * Role inheritance, transitive: `{ admin: ['approver'], approver: ['viewer'] }`. Cycles are
   * rejected at construction. Default: no inheritance.
   */
  readonly hierarchy?: RoleHierarchy | undefined;
  /**
   * Rules per tenant id. For a principal of a tenant listed here, a call must be allowed by
   * the global rules and by the tenant's rules: they can only narrow access. Default: none.
   */
  readonly tenantRules?: Readonly<Record<string, readonly RoleRule[]>> | undefined;
}

/** Options of {@link rbac} for a rule set that maps tools to permissions. */
export interface PermissionRbacOptions extends RbacCommonOptions {
  /** Fixed for the life of the rule set: only permission rules are accepted. */
  readonly mode: 'permissions';
  /** Global rules. A tool that no rule targets is denied. */
  readonly rules: readonly PermissionRule[];
  /** Not available: permissions have no hierarchy. */
  readonly hierarchy?: never;
  /** Rules per tenant id; they can only narrow access (see {@link RoleRbacOptions}). */
  readonly tenantRules?: Readonly<Record<string, readonly PermissionRule[]>> | undefined;
}

/** Options of {@link rbac}. */
export type RbacOptions = RoleRbacOptions | PermissionRbacOptions;

/** Options of {@link Rbac.addRules}. */
export interface AddRulesOptions {
  /** Add the rules to this tenant's rules instead of the global ones. Default: global. */
  readonly tenantId?: string | undefined;
}

/** The access-control stage returned by {@link rbac}. */
export interface Rbac<M extends RbacMode = RbacMode> extends AccessControl {
  readonly kind: 'access_control';
  readonly name: string;
  /** What the rules map tools to; fixed at creation. */
  readonly mode: M;
  /** Allows the call when a rule allows it (and the tenant's rules, if any); denies otherwise. */
  authorize(principal: Principal, tool: RbacTool): StageResult<AccessGrant>;
  /** The tools of `tools` that `principal` may call, in their order. */
  visibleTools<T extends RbacTool>(principal: Principal, tools: readonly T[]): T[];
  /** Precompiles the tool's decisions and warns when a write or delete tool is uncovered. */
  toolRegistered(tool: RbacTool): void;
  /** The decision `authorize` makes, with the rule that allowed or the reason it denied. */
  explain(principal: Principal, tool: RbacTool): RbacExplanation;
  /**
   * Adds rules of this rule set's mode, globally or for one tenant. Validated as a whole:
   * on error nothing is added. Rules of the other mode are refused with a `GuardConfigError`.
   */
  addRules(rules: readonly RuleOf<M>[], options?: AddRulesOptions): void;
}

const OPTION_FIELDS = new Set([
  'mode',
  'rules',
  'hierarchy',
  'tenantRules',
  'tools',
  'logger',
  'metrics',
  'name',
  'maxPrincipalValues',
  'cacheSize',
]);
const SAFE_TOOL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-/]{0,127}$/;

/**
 * Creates the access-control stage: rules map tool patterns (exact names, globs, tags,
 * operation kinds) to roles or to permissions; deny by default; a role hierarchy; tenant
 * rules that can only narrow. Everything is validated and precompiled here; a check is a few
 * map lookups.
 *
 * @example
 * const access = rbac({
 *   mode: 'roles',
 *   hierarchy: { admin: ['approver'], approver: ['viewer'] },
 *   rules: [
 *     { id: 'read-all', tools: ['*'], operations: ['read'], roles: ['viewer'] },
 *     { id: 'payments', tools: ['payments.*'], roles: ['approver'] },
 *     { id: 'admin-tools', tags: ['admin'], roles: ['admin'] },
 *   ],
 * });
 * const guard = createGuard({ authenticator, accessControl: access });
 */
export function rbac(options: RoleRbacOptions): Rbac<'roles'>;
export function rbac(options: PermissionRbacOptions): Rbac<'permissions'>;
export function rbac(options: RbacOptions): Rbac {
  // Checked at run time: options often come from a config file or from JavaScript.
  if (!isPlainObject(options)) throw new GuardConfigError('options must be an object');
  for (const key of Object.keys(options)) {
    if (!OPTION_FIELDS.has(key)) {
      throw new GuardConfigError(`unknown option ${JSON.stringify(key)}`, { path: key });
    }
  }
  const mode: unknown = options.mode;
  if (mode !== 'roles' && mode !== 'permissions') {
    throw new GuardConfigError("must be 'roles' or 'permissions'", { path: 'mode' });
  }
  const useRoles = mode === 'roles';
  if (!useRoles && options.hierarchy !== undefined) {
    throw new GuardConfigError('a permissions rule set has no role hierarchy', {
      path: 'hierarchy',
    });
  }
  const name = options.name ?? 'rbac';
  checkName(name, 'name', 'name', 128);
  const maxValues = options.maxPrincipalValues ?? 1024;
  checkPositiveInteger(maxValues, 'maxPrincipalValues');
  const cacheSize = options.cacheSize ?? 10_000;
  checkPositiveInteger(cacheSize, 'cacheSize');
  const { logger, metrics } = options;
  if (logger !== undefined && typeof (logger as Partial<Logger>).warn !== 'function') {
    throw new GuardConfigError('must have a warn function', { path: 'logger' });
  }
  if (metrics !== undefined && typeof metrics !== 'function') {
    throw new GuardConfigError('must be a function', { path: 'metrics' });
  }

  const hierarchy: CompiledHierarchy = compileHierarchy(options.hierarchy, 'hierarchy');
  const ids = new Set<string>();
  const global = new RuleSet(
    compileRules(options.rules, 'rules', { mode, hierarchy, scope: 'global', ids }),
    cacheSize,
  );
  const tenants = new Map<string, RuleSet>();
  if (options.tenantRules !== undefined) {
    if (!isPlainObject(options.tenantRules)) {
      throw new GuardConfigError('must be an object mapping a tenant id to rules', {
        path: 'tenantRules',
      });
    }
    for (const [tenantId, rules] of Object.entries(options.tenantRules)) {
      checkTenantId(tenantId, 'tenantRules');
      const path = `tenantRules.${tenantId}`;
      tenants.set(
        tenantId,
        new RuleSet(
          compileRules(rules, path, { mode, hierarchy, scope: 'tenant', ids }),
          cacheSize,
        ),
      );
    }
  }
  const missing: RbacDenyReason = useRoles ? 'role_missing' : 'permission_missing';
  const tooMany: RbacDenyReason = useRoles ? 'too_many_roles' : 'too_many_permissions';
  const warned = new Set<string>();

  const warn = (tool: RbacTool): void => {
    const message = `no rule covers ${tool.operation} tool ${tool.name}; every call to it is denied`;
    const details = { tool: tool.name, operation: tool.operation };
    logger?.warn(message, { source: 'rbac', ...details });
    if (metrics) {
      try {
        metrics({ type: 'warning', source: 'rbac', message, details });
      } catch {
        // A broken listener must not break registration.
      }
    }
  };

  const register = (tool: RbacTool): void => {
    const candidate: unknown = tool;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      typeof (candidate as { name?: unknown }).name !== 'string'
    ) {
      throw new GuardConfigError('a tool needs a name', { path: 'tools' });
    }
    const entry = global.pin(tool);
    if (tool.operation !== 'read' && entry.targeting.length === 0 && !warned.has(tool.name)) {
      warned.add(tool.name);
      warn(tool);
    }
  };

  /** The principal's roles or permissions, or why they cannot be used. */
  const valuesOf = (principal: Principal): readonly string[] | RbacDenyReason => {
    const values: unknown = useRoles ? principal.roles : principal.permissions;
    if (!Array.isArray(values)) return 'invalid_principal';
    if (values.length > maxValues) return tooMany;
    return values as readonly string[];
  };

  /** The decision without building an error, shared by `authorize` and `visibleTools`. */
  const decide = (
    principal: Principal,
    tool: RbacTool,
  ): StageResult<AccessGrant> | RbacDenyReason => {
    const values = valuesOf(principal);
    if (typeof values === 'string') return values;
    if (typeof tool.name !== 'string') return 'no_matching_rule';
    const entry = global.lookup(tool);
    const grant = grantFor(entry, values);
    if (grant === undefined) return entry.targeting.length === 0 ? 'no_matching_rule' : missing;
    if (tenants.size === 0) return grant.result;
    const tenant = tenants.get(principal.tenantId);
    if (tenant === undefined) return grant.result;
    const narrowed = grantFor(tenant.lookup(tool), values);
    if (narrowed === undefined) return 'tenant_rule_denied';
    return combine(grant, narrowed);
  };

  const stage: Rbac = {
    kind: 'access_control',
    name,
    mode,
    authorize(principal, tool) {
      const decision = decide(principal, tool);
      if (typeof decision !== 'string') return decision;
      const message =
        typeof tool.name === 'string' && SAFE_TOOL_NAME.test(tool.name)
          ? `not allowed to call ${tool.name}`
          : 'not allowed to call this tool';
      return fail(new ForbiddenError(message, { reason: decision }));
    },
    visibleTools(principal, tools) {
      return tools.filter((tool) => typeof decide(principal, tool) !== 'string');
    },
    toolRegistered(tool) {
      register(tool);
    },
    explain(principal, tool) {
      const values = valuesOf(principal);
      if (typeof values === 'string') {
        return {
          allowed: false,
          reason: values,
          matchedRules: [],
          tenantRulesApplied: false,
          checked: [],
        };
      }
      if (typeof tool.name !== 'string') {
        return {
          allowed: false,
          reason: 'no_matching_rule',
          matchedRules: [],
          tenantRulesApplied: false,
          checked: [],
        };
      }
      const facts = {
        name: tool.name,
        operation: tool.operation,
        tags: listOrEmpty(tool.tags),
      };
      const tenant = tenants.get(principal.tenantId);
      return explainAccess(global.rules, tenant?.rules, values, facts, missing);
    },
    addRules(rules, addOptions = {}) {
      const tenantId = addOptions.tenantId;
      if (tenantId !== undefined) checkTenantId(tenantId, 'tenantId');
      const path = tenantId === undefined ? 'rules' : `tenantRules.${tenantId}`;
      const taken = new Set(ids);
      const compiled: CompiledRule[] = compileRules(rules, path, {
        mode,
        hierarchy,
        scope: tenantId === undefined ? 'global' : 'tenant',
        ids: taken,
      });
      for (const id of taken) ids.add(id);
      if (tenantId === undefined) {
        global.add(compiled);
        return;
      }
      const existing = tenants.get(tenantId);
      if (existing) existing.add(compiled);
      else tenants.set(tenantId, new RuleSet(compiled, cacheSize));
    },
  };

  if (options.tools !== undefined) {
    const tools: unknown = options.tools;
    if (!Array.isArray(tools)) {
      throw new GuardConfigError('must be a list of tools', { path: 'tools' });
    }
    for (const tool of tools as readonly RbacTool[]) register(tool);
  }
  return stage;
}
