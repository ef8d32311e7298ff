import {
  ApprovalInvalidError,
  GuardConfigError,
  InternalGuardError,
  type Guard,
  type GuardedResult,
  type Principal,
} from '@agentguard/core';
import type { ApprovalTasks } from '../create-approval-tasks.js';
import type { FilterToolListOptions } from '../filter-tool-list.js';
import { APPROVAL_META_KEY } from '../meta-keys.js';
import { toolErrorResult } from '../tool-error-result.js';
import type { ApprovalTaskRunner, ExecuteGuarded } from './approval-task-runner.js';
import { approvalTaskRunners } from './approval-task-runners.js';
import { callGuarded, toCallResult } from './call-guarded.js';
import { readCallContext } from './call-context.js';
import { GuardProtocolError } from './protocol-error.js';
import { trustDispatcher, ungated } from './tool-call-gate.js';
import {
  markGuarded,
  registerToolTaskOf,
  requestHandlers,
  serverTaskStore,
  type CallToolResultLike,
  type SdkExtra,
  type SdkToolConfig,
  type StoredRequestHandler,
  type TaskExtra,
} from './sdk.js';

/** How one tool runs when it is registered with approval tasks. */
export interface ApprovalTaskToolSpec {
  readonly approvalTasks: ApprovalTasks;
  readonly execute: ExecuteGuarded;
  /** The callback was written for the SDK: pass its own result kinds on. */
  readonly sdkResults: boolean;
  readonly options: FilterToolListOptions;
}

interface ToolRoute {
  readonly spec: ApprovalTaskToolSpec;
  readonly runner: ApprovalTaskRunner;
}

interface ServerBinding {
  readonly approvalTasks: ApprovalTasks;
  readonly guard: Guard;
  readonly routes: Map<string, ToolRoute>;
}

const bindings = new WeakMap<object, ServerBinding>();
const installed = new WeakSet<StoredRequestHandler>();

/** A JSON-RPC "invalid params" error, worded as the SDK words a task it cannot find. */
class TaskNotFoundError extends Error {
  readonly code = -32602;
  constructor(message: string) {
    super(message);
    this.name = 'TaskNotFoundError';
  }
}

function notFound(method: string, taskId: string): TaskNotFoundError {
  // The SDK's own wording (its McpError prefixes the code). A task of someone else and one
  // that does not exist are both answered here, so they read the same.
  const text =
    method === 'tasks/get'
      ? 'Failed to retrieve task: Task not found'
      : `Task not found: ${taskId}`;
  return new TaskNotFoundError(`MCP error -32602: ${text}`);
}

function registeredTool(server: object, name: string): { enabled?: unknown } | undefined {
  const tools = (server as { _registeredTools?: Record<string, { enabled?: unknown }> })
    ._registeredTools;
  return tools !== undefined && Object.hasOwn(tools, name) ? tools[name] : undefined;
}

function approvalOf(
  result: GuardedResult<unknown>,
): { approvalId: string; expiresAt: string | undefined } | undefined {
  if (result.ok || result.error.code !== 'approval_required') return undefined;
  const { approvalId, expiresAt } = result.error as { approvalId?: unknown; expiresAt?: unknown };
  if (typeof approvalId !== 'string') return undefined;
  return { approvalId, expiresAt: typeof expiresAt === 'string' ? expiresAt : undefined };
}

/**
 * A task-augmented `tools/call`: the first run happens here; a call that needs approval waits
 * as a `working` task, anything else is a task finished at once. A call rejected before the
 * caller is known (no or bad credential) is a JSON-RPC error: there is no one to give a task to.
 */
async function createTask(
  route: ToolRoute,
  args: unknown,
  extra: TaskExtra,
  protocolErrors: boolean,
): Promise<unknown> {
  const { runner, spec } = route;
  const store = extra.taskStore;
  if (store === undefined) throw new Error('the server has no task store');
  const read = readCallContext(extra, spec.options.token, spec.options.callContext);
  if (!read.ok) {
    const error = new ApprovalInvalidError('approval id malformed', { reason: read.reason });
    if (protocolErrors) throw new GuardProtocolError(error);
    return toolErrorResult(error);
  }
  const result = await spec.execute(args, read.context);
  const { subject, tenantId } = result.decision;
  if (subject === undefined || tenantId === undefined) {
    if (protocolErrors && !result.ok) throw new GuardProtocolError(result.error);
    return toCallResult(result, spec.sdkResults);
  }
  const owner = { tenantId, subject };
  const ttlMs = runner.ttlFor(extra.taskRequestedTtl);
  const approval = approvalOf(result);
  const task = await store.createTask({ ttl: ttlMs, pollInterval: runner.limits.pollIntervalMs });
  if (approval === undefined || !runner.canWait()) {
    runner.track(task.taskId, owner, ttlMs);
    const answer = toCallResult(result, spec.sdkResults) as CallToolResultLike;
    await runner.finish(task.taskId, answer, extra.sessionId);
    return { task: (await runner.taskStore.getTask(task.taskId, extra.sessionId)) ?? task };
  }
  const statusMessage = `approval required: waiting for approvers (approval id ${approval.approvalId})`;
  await runner.taskStore.updateTaskStatus(task.taskId, 'working', statusMessage, extra.sessionId);
  runner.wait({
    taskId: task.taskId,
    sessionId: extra.sessionId,
    owner,
    ttlMs,
    approvalId: approval.approvalId,
    expiresAt: approval.expiresAt,
    decisionId: result.decision.decisionId,
    args,
    context: read.context,
    execute: spec.execute,
    sdkResults: spec.sdkResults,
  });
  const rejection = result.ok ? undefined : toolErrorResult(result.error);
  return {
    task: { ...task, status: 'working', statusMessage },
    _meta: { ...rejection?._meta, [APPROVAL_META_KEY]: approval.approvalId },
  };
}

/**
 * Routes `tools/call` of the approval-task tools: a task-augmented call to {@link createTask},
 * any other to the guarded call as without tasks (the SDK would otherwise poll the task of an
 * `optional` tool until approvers decide, holding the request). Installed once per server.
 */
function routeToolCalls(server: object, binding: ServerBinding): void {
  const handlers = requestHandlers(server);
  const current = handlers?.get('tools/call');
  // On a guardServer server the gate stays outermost: route inside it (setting the handler
  // gates it again).
  const original = current === undefined ? undefined : ungated(current);
  if (!handlers || original === undefined || installed.has(original)) return;
  const routed: StoredRequestHandler = async function guardedToolCall(request, extra) {
    const params = (request as { params?: { name?: unknown; arguments?: unknown; task?: unknown } })
      .params;
    const name = params?.name;
    const route = typeof name === 'string' ? binding.routes.get(name) : undefined;
    if (route === undefined || registeredTool(server, name as string)?.enabled !== true) {
      return original(request, extra);
    }
    const args = params?.arguments ?? {};
    if (params?.task) {
      try {
        return await createTask(route, args, extra as TaskExtra, true);
      } catch (error) {
        if (error instanceof GuardProtocolError) throw error;
        route.runner.logger.error('approval task: the task could not be created', {
          tool: name,
          error: error instanceof Error ? error.message : String(error),
        });
        throw new GuardProtocolError(new InternalGuardError());
      }
    }
    try {
      return await callGuarded(
        route.spec.execute,
        args,
        extra,
        route.spec.options,
        route.spec.sdkResults,
      );
    } catch {
      return toolErrorResult(new InternalGuardError());
    }
  };
  installed.add(routed);
  trustDispatcher(routed, original);
  handlers.set('tools/call', routed);
}

/**
 * Lets only a task's creator (same tenant and subject, authenticated again) get, await, cancel
 * or list it. A task this adapter did not create, or no longer remembers, is not found.
 */
function guardTaskRequests(
  server: object,
  guard: Guard,
  runner: ApprovalTaskRunner,
  options: FilterToolListOptions,
): void {
  const handlers = requestHandlers(server);
  if (!handlers) return;
  async function callerOf(extra: unknown): Promise<Principal> {
    const read = readCallContext(extra as SdkExtra | undefined, options.token, options.callContext);
    const auth = await guard.authenticate(read.ok ? read.context : {});
    if (!auth.ok) throw new GuardProtocolError(auth.error);
    return auth.value;
  }
  for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
    const original = handlers.get(method);
    if (original === undefined || installed.has(original)) continue;
    const guarded: StoredRequestHandler = async function ownTaskOnly(request, extra) {
      const taskId = (request as { params?: { taskId?: unknown } }).params?.taskId;
      // A malformed request is the SDK's to refuse.
      if (typeof taskId !== 'string') return original(request, extra);
      const caller = await callerOf(extra);
      if (!runner.owns(taskId, caller)) throw notFound(method, taskId);
      const answer = await original(request, extra);
      if (method === 'tasks/cancel') runner.cancel(taskId);
      return answer;
    };
    installed.add(guarded);
    handlers.set(method, guarded);
  }
  const list = handlers.get('tasks/list');
  if (list !== undefined && !installed.has(list)) {
    const guardedList: StoredRequestHandler = async function ownTasksOnly(request, extra) {
      const caller = await callerOf(extra);
      const answer = (await list(request, extra)) as { tasks?: unknown } & Record<string, unknown>;
      if (!Array.isArray(answer.tasks)) return answer;
      const tasks = (answer.tasks as { taskId?: unknown }[]).filter(
        (task) => typeof task.taskId === 'string' && runner.owns(task.taskId, caller),
      );
      return { ...answer, tasks };
    };
    installed.add(guardedList);
    handlers.set('tasks/list', guardedList);
  }
}

/**
 * Registers a guarded tool through the 1.x SDK's `registerToolTask` (`taskSupport:
 * 'optional'`), routes its calls, and guards the server's `tasks/*` requests.
 */
export function registerApprovalTaskTool(
  server: object,
  guard: Guard,
  name: string,
  config: SdkToolConfig,
  spec: ApprovalTaskToolSpec,
): unknown {
  const runner = approvalTaskRunners.get(spec.approvalTasks);
  if (runner === undefined) {
    throw new GuardConfigError('approvalTasks must be made by createApprovalTasks()', {
      path: 'approvalTasks',
    });
  }
  const registerTask = registerToolTaskOf(server);
  if (registerTask === undefined) {
    throw new GuardConfigError(
      'approval tasks need an McpServer of the 1.x SDK (@modelcontextprotocol/sdk): the 2.x SDK has no task runtime',
      { path: 'server' },
    );
  }
  const handlers = requestHandlers(server);
  if (handlers?.has('tasks/get') !== true) {
    throw new GuardConfigError(
      'approval tasks need an McpServer created with a taskStore and the tasks capability',
      { path: 'server' },
    );
  }
  const own = serverTaskStore(server);
  if (own !== undefined && own !== runner.taskStore) {
    throw new GuardConfigError('the server was created with another taskStore than approvalTasks', {
      path: 'server',
    });
  }
  if (registeredTool(server, name) !== undefined) {
    throw new GuardConfigError(`tool ${name} is already registered`, { path: name });
  }
  let binding = bindings.get(server);
  if (binding === undefined) {
    binding = { approvalTasks: spec.approvalTasks, guard, routes: new Map() };
    bindings.set(server, binding);
  } else if (binding.approvalTasks !== spec.approvalTasks || binding.guard !== guard) {
    throw new GuardConfigError('one server serves one guard and one approvalTasks', {
      path: 'approvalTasks',
    });
  }
  const route: ToolRoute = { spec, runner };
  const handler = {
    // Reached only if something replaced the routing below; answers the same way.
    createTask: (args: unknown, extra: TaskExtra) => createTask(route, args, extra, false),
    getTask: (_args: unknown, extra: TaskExtra) => extra.taskStore?.getTask(extra.taskId ?? ''),
    getTaskResult: (_args: unknown, extra: TaskExtra) =>
      extra.taskStore?.getTaskResult(extra.taskId ?? ''),
  };
  markGuarded(handler, name);
  const registered = registerTask(
    name,
    { ...config, execution: { taskSupport: 'optional' } },
    handler,
  );
  binding.routes.set(name, route);
  routeToolCalls(server, binding);
  guardTaskRequests(server, guard, runner, spec.options);
  return registered;
}
