/**
 * The parts of the MCP SDKs (1.x `@modelcontextprotocol/sdk` and 2.x
 * `@modelcontextprotocol/server`) this adapter touches, typed structurally so one adapter
 * serves both majors without importing either.
 */

/** `AuthInfo` as both SDKs define it (the fields this adapter reads or writes). */
export interface AuthInfoLike {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  extra?: Record<string, unknown>;
}

/** The handler context (2.x `ServerContext`) or extra (1.x `RequestHandlerExtra`). */
export interface SdkExtra {
  readonly sessionId?: string | undefined;
  // 1.x
  readonly authInfo?: Partial<AuthInfoLike> | undefined;
  readonly _meta?: Readonly<Record<string, unknown>> | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly requestId?: string | number | undefined;
  readonly requestInfo?:
    | { readonly headers?: Readonly<Record<string, string | string[] | undefined>> | undefined }
    | undefined;
  // 2.x
  readonly mcpReq?:
    | {
        readonly id?: string | number | undefined;
        readonly _meta?: Readonly<Record<string, unknown>> | undefined;
        readonly signal?: AbortSignal | undefined;
      }
    | undefined;
  readonly http?:
    | { readonly authInfo?: Partial<AuthInfoLike> | undefined; readonly req?: Request | undefined }
    | undefined;
}

/** A tool result as MCP defines it. */
export interface CallToolResultLike {
  content: unknown[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The tool config both SDKs' `registerTool` accept. */
export interface SdkToolConfig {
  title?: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `registerTool` as this adapter calls it. */
export type RegisterTool = (
  name: string,
  config: SdkToolConfig,
  callback: (...args: unknown[]) => unknown,
) => unknown;

/** Request handlers as both SDKs keep them on the low-level server. */
export type StoredRequestHandler = (request: unknown, extra: unknown) => Promise<unknown>;

/** The stored handlers of the low-level server (a private map in both majors). */
export function requestHandlers(server: unknown): Map<string, StoredRequestHandler> | undefined {
  const low = (server as { server?: unknown } | undefined)?.server as
    { _requestHandlers?: unknown } | undefined;
  const map = low?._requestHandlers;
  return map instanceof Map ? (map as Map<string, StoredRequestHandler>) : undefined;
}

/** `registerTool` of a server as the SDK defined it, before `guardServer` replaced it. */
export const originalRegisterTool = new WeakMap<object, RegisterTool>();

/** The SDK's own `registerTool` of `server`, even when `guardServer` wrapped it. */
export function sdkRegisterTool(server: object): RegisterTool | undefined {
  const found = originalRegisterTool.get(server);
  if (found) return found;
  const register = (server as { registerTool?: unknown }).registerTool;
  return typeof register === 'function' ? (register as RegisterTool) : undefined;
}

// The SDK handler (callback, or task handler object) of each tool this adapter registered,
// with the name it was registered under.
const guardedHandlers = new WeakMap<object, string>();

/** Records that `handler` is the guarded SDK handler of the tool `name`. */
export function markGuarded(handler: object, name: string): void {
  guardedHandlers.set(handler, name);
}

/** The tools registered on an `McpServer` (a private record in both majors), by name. */
export function registeredTools(server: object): Record<string, { handler?: unknown }> | undefined {
  const tools = (server as { _registeredTools?: unknown })._registeredTools;
  return typeof tools === 'object' && tools !== null
    ? (tools as Record<string, { handler?: unknown }>)
    : undefined;
}

/**
 * Whether the tool `name` of `server` runs a handler this adapter registered for that name.
 * False for a tool registered past the adapter (another API, a replaced callback, a renamed
 * guarded tool) and for a name no tool has.
 */
export function isGuardedTool(server: object, name: string): boolean {
  const tools = registeredTools(server);
  if (tools === undefined || !Object.hasOwn(tools, name)) return false;
  const handler = tools[name]?.handler;
  if ((typeof handler !== 'object' && typeof handler !== 'function') || handler === null) {
    return false;
  }
  return guardedHandlers.get(handler) === name;
}

/** A task as the 1.x SDK's task stores keep it (MCP 2025-11-25 `Task`). */
export interface TaskLike {
  taskId: string;
  status: 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
  ttl: number | null;
  createdAt: string;
  lastUpdatedAt: string;
  pollInterval?: number | undefined;
  statusMessage?: string | undefined;
}

/**
 * The parts of the 1.x SDK's `TaskStore` (`InMemoryTaskStore` or your own) this adapter calls
 * to finish a task after the request that created it has been answered.
 */
export interface TaskStoreLike {
  getTask(taskId: string, sessionId?: string): Promise<TaskLike | null>;
  storeTaskResult(
    taskId: string,
    status: 'completed' | 'failed',
    result: CallToolResultLike,
    sessionId?: string,
  ): Promise<void>;
  updateTaskStatus(
    taskId: string,
    status: TaskLike['status'],
    statusMessage?: string,
    sessionId?: string,
  ): Promise<void>;
}

/** The request-bound task store the 1.x SDK hands to task handlers (`extra.taskStore`). */
export interface RequestTaskStoreLike {
  createTask(params: { ttl?: number | null; pollInterval?: number }): Promise<TaskLike>;
  getTask(taskId: string): Promise<TaskLike>;
  getTaskResult(taskId: string): Promise<unknown>;
}

/** What the 1.x SDK passes to a task tool's handlers, besides the request's extra. */
export interface TaskExtra extends SdkExtra {
  readonly taskStore?: RequestTaskStoreLike | undefined;
  readonly taskRequestedTtl?: number | null | undefined;
  readonly taskId?: string | undefined;
}

/** `server.experimental.tasks.registerToolTask` of a 1.x `McpServer`, bound; else undefined. */
export function registerToolTaskOf(
  server: object,
): ((name: string, config: SdkToolConfig, handler: object) => unknown) | undefined {
  const tasks = (server as { experimental?: { tasks?: { registerToolTask?: unknown } } })
    .experimental?.tasks;
  const register = tasks?.registerToolTask;
  return typeof register === 'function'
    ? (register.bind(tasks) as (name: string, config: SdkToolConfig, handler: object) => unknown)
    : undefined;
}

/** The task store a 1.x server was created with (a private field), when it can be seen. */
export function serverTaskStore(server: object): unknown {
  return (server as { server?: { _taskStore?: unknown } }).server?._taskStore;
}
