export { registerGuardedTool } from './register-guarded-tool.js';
export type {
  GuardedToolSpec,
  McpServerLike,
  RegisterGuardedToolOptions,
} from './register-guarded-tool.js';
export { guardServer } from './guard-server.js';
export { handlerContextOf } from './handler-context-of.js';
export type { GuardServerOptions } from './guard-server.js';
export { createApprovalTasks } from './create-approval-tasks.js';
export type { ApprovalTasks, ApprovalTasksOptions } from './create-approval-tasks.js';
export { filterToolList } from './filter-tool-list.js';
export type { FilterToolListOptions } from './filter-tool-list.js';
export { mcpAuthChallenge } from './mcp-auth-challenge.js';
export type {
  McpAuthChallengeOptions,
  McpNodeMiddleware,
  McpNodeRequest,
} from './mcp-auth-challenge.js';
export { guardMcpHandler } from './guard-mcp-handler.js';
export type { FetchMcpHandler, GuardMcpHandlerOptions } from './guard-mcp-handler.js';
export { toToolResult, isCallToolResult } from './to-tool-result.js';
export { toolErrorResult } from './tool-error-result.js';
export { APPROVAL_META_KEY, CODE_META_KEY, DECISION_META_KEY } from './meta-keys.js';
export type { AuthInfoLike, CallToolResultLike, TaskLike, TaskStoreLike } from './lib/sdk.js';
