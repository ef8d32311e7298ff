export { rbac } from './rbac.js';
export type {
  AddRulesOptions,
  PermissionRbacOptions,
  Rbac,
  RbacCommonOptions,
  RbacOptions,
  RoleRbacOptions,
} from './rbac.js';
export type {
  AccessRule,
  PermissionRule,
  RbacMode,
  RbacTool,
  RoleHierarchy,
  RoleRule,
  RuleOf,
  RuleTarget,
} from './access-rule.js';
export type { RbacDenyReason, RbacExplanation, RuleCheck } from './rbac-explanation.js';
