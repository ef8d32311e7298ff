export { startMcpServer } from './server.js';
export type { McpServerOptions, RunningMcpServer } from './server.js';
export { createCrmGuard, createCrmStages, crmToolSpecs } from './crm-guard.js';
export type { CrmGuard, CrmGuardOptions, ToolSpec } from './crm-guard.js';
export { createApprovalDesk } from './approval-desk.js';
export type { ApprovalDesk, ApprovalDeskOptions, ApprovalRequestView } from './approval-desk.js';
export {
  AGENT_AUDIENCE,
  APPROVER_AUDIENCE,
  DEV_ISSUER,
  LOA_MFA,
  LOA_PASSWORD,
  createDevIdentityProvider,
  mintExampleTokens,
} from './dev-identity.js';
export type { DevIdentityProvider, DevTokenClaims } from './dev-identity.js';
