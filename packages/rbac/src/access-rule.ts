import type { OperationKind } from '@agentguard/core';

/**
 * What a rule set maps tools to, fixed when the rule set is created: `roles` (checked against
 * `Principal.roles`, with the role hierarchy) or `permissions` (checked against
 * `Principal.permissions`, exact strings only).
 */
export type RbacMode = 'roles' | 'permissions';

/** Which tools a rule applies to. Every given criterion must hold (they narrow each other). */
export interface RuleTarget {
  /**
   * Stable id of the rule, unique across the global rules and every tenant's rules. Recorded
   * in `AccessGrant.matchedRules`, the audit event and `explain`.
   */
  readonly id: string;
  /**
   * Tool name patterns: exact names, or globs where `*` matches any run of characters
   * (`payments.*`, `*.delete`, `*`). The rule targets a tool whose name matches any of them.
   * Default: any name (then `tags` is required).
   */
  readonly tools?: readonly string[] | undefined;
  /**
   * Tool tags (`ToolInfo.tags`). The rule targets a tool that carries any of them.
   * Default: tags are not considered (then `tools` is required).
   */
  readonly tags?: readonly string[] | undefined;
  /** Operation kinds the rule targets. Default: every kind. */
  readonly operations?: readonly OperationKind[] | undefined;
  /** Free text for the people who maintain the rules. Not used in decisions. */
  readonly description?: string | undefined;
}

/** A rule of a `roles` rule set: the tools it targets may be called by these roles. */
export interface RoleRule extends RuleTarget {
  /** Roles allowed to call the targeted tools; roles that inherit one of them are too. */
  readonly roles: readonly string[];
  /** Not allowed in a `roles` rule set. */
  readonly permissions?: never;
}

/** A rule of a `permissions` rule set: the tools it targets need one of these permissions. */
export interface PermissionRule extends RuleTarget {
  /** A principal holding any of these permissions (exact match) may call the targeted tools. */
  readonly permissions: readonly string[];
  /** Not allowed in a `permissions` rule set. */
  readonly roles?: never;
}

/** A rule of either kind; a rule set accepts only the kind of its mode. */
export type AccessRule = RoleRule | PermissionRule;

/** The rule type a mode accepts. */
export type RuleOf<M extends RbacMode> = M extends 'roles' ? RoleRule : PermissionRule;

/**
 * Role inheritance: each key inherits the roles listed for it, transitively.
 * `{ admin: ['approver'], approver: ['viewer'] }` gives admin everything approver and viewer
 * may do. Cycles are rejected.
 */
export type RoleHierarchy = Readonly<Record<string, readonly string[]>>;

/** The facts about a tool that rules look at (a core `ToolInfo` fits). */
export interface RbacTool {
  readonly name: string;
  readonly operation: OperationKind;
  /** Default: none. */
  readonly tags?: readonly string[] | undefined;
}
