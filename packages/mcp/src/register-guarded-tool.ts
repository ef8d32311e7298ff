import {
  GuardConfigError,
  type Guard,
  type GuardedTool,
  type OperationKind,
  type ToolAnnotations,
  type ToolDefinition,
  type ToolHandler,
} from '@agentguard/core';
import type { z } from 'zod';
import { filterToolList, type FilterToolListOptions } from './filter-tool-list.js';
import type { ApprovalTasks } from './create-approval-tasks.js';
import type { ExecuteGuarded } from './lib/approval-task-runner.js';
import { registerApprovalTaskTool } from './lib/approval-task-tool.js';
import { callGuarded } from './lib/call-guarded.js';
import { inputCarrier } from './lib/input-carrier.js';
import { markGuarded, sdkRegisterTool, type SdkToolConfig } from './lib/sdk.js';

/**
 * An `McpServer` of either SDK major (`@modelcontextprotocol/server` 2.x or
 * `@modelcontextprotocol/sdk` 1.x). Typed structurally so the adapter imports neither.
 */
export interface McpServerLike {
  registerTool: (...args: never[]) => unknown;
  readonly server: object;
}

/** A tool declared inline: core's tool definition plus its name and handler. */
export interface GuardedToolSpec<
  S extends z.ZodType = z.ZodType,
  R = unknown,
> extends ToolDefinition<S> {
  readonly name: string;
  readonly handler: ToolHandler<S, R>;
}

/** Options of {@link registerGuardedTool}. */
export interface RegisterGuardedToolOptions extends FilterToolListOptions {
  /** Title shown by clients. Default: `annotations.title` of the definition. */
  readonly title?: string | undefined;
  /** Extra `_meta` advertised with the tool in `tools/list`. Default none. */
  readonly meta?: Readonly<Record<string, unknown>> | undefined;
  /**
   * Lets a call that needs approval run as an MCP task that finishes when approvers decide
   * (1.x SDK, a server created with the same `taskStore`): see {@link createApprovalTasks}.
   * The tool is advertised with `execution.taskSupport: 'optional'`. Default: none (calls that
   * need approval answer `approval_required`; the agent presents the approval id in `_meta`).
   */
  readonly approvalTasks?: ApprovalTasks | undefined;
}

/** MCP tool annotations from the guard's definition; the operation fills unset hints. */
function mcpAnnotations(
  operation: OperationKind,
  annotations: ToolAnnotations | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    readOnlyHint: annotations?.readOnlyHint ?? operation === 'read',
    destructiveHint: annotations?.destructiveHint ?? operation === 'delete',
  };
  if (annotations?.title !== undefined) out['title'] = annotations.title;
  if (annotations?.idempotentHint !== undefined) out['idempotentHint'] = annotations.idempotentHint;
  if (annotations?.openWorldHint !== undefined) out['openWorldHint'] = annotations.openWorldHint;
  return out;
}

/**
 * Registers a guarded tool on an MCP server in one call. Every `tools/call` runs the guard's
 * whole pipeline (authenticate from the transport's `authInfo` or the `authorization` header,
 * access control, strict input validation, rate limit, policies, approval, hooks, handler,
 * masking, audit); rejections come back as tool results with `isError: true` and structured
 * content. `tools/list` shows each caller only the tools it may call.
 *
 * Pass a tool made with `guard()` (what per-request server factories should do: guard each
 * tool once, at module scope, and register it on every instance) or a spec object.
 *
 * @example
 * const getCustomer = guard(
 *   'crm.get_customer',
 *   { input: z.object({ id: z.string() }), operation: 'read', description: 'Read a customer' },
 *   async ({ id }, { principal }) => crm.get(principal.tenantId, id),
 * );
 * registerGuardedTool(server, guard, getCustomer);
 */
export function registerGuardedTool<S extends z.ZodType, R>(
  server: McpServerLike,
  guard: Guard,
  tool: GuardedTool | GuardedToolSpec<S, R>,
  options: RegisterGuardedToolOptions = {},
): unknown {
  const register =
    typeof server === 'object' && (server as unknown) !== null
      ? sdkRegisterTool(server)
      : undefined;
  if (register === undefined) {
    throw new GuardConfigError('server must be an McpServer', { path: 'server' });
  }
  let guarded: GuardedTool;
  if (typeof tool === 'function') {
    if (guard.tools.get(tool.toolName) !== tool.info) {
      throw new GuardConfigError(`tool ${tool.toolName} was not made by this guard`, {
        path: 'tool',
      });
    }
    guarded = tool;
  } else {
    const { name, handler, ...definition } = tool;
    guarded = guard(name, definition, handler);
  }
  const { definition } = guarded;
  const config: SdkToolConfig = {
    inputSchema: inputCarrier(definition.input),
    annotations: mcpAnnotations(definition.operation, definition.annotations),
  };
  const title = options.title ?? definition.annotations?.title;
  if (title !== undefined) config.title = title;
  if (definition.description !== undefined) config.description = definition.description;
  if (options.meta !== undefined) config._meta = { ...options.meta };
  const execute: ExecuteGuarded = (args, context) => guarded.execute(args, context);
  let registered: unknown;
  if (options.approvalTasks === undefined) {
    const guardedCallback = (args: unknown, extra: unknown) =>
      callGuarded(execute, args, extra, options);
    markGuarded(guardedCallback, guarded.toolName);
    registered = register.call(server, guarded.toolName, config, guardedCallback);
  } else {
    registered = registerApprovalTaskTool(server, guard, guarded.toolName, config, {
      approvalTasks: options.approvalTasks,
      execute,
      sdkResults: false,
      options,
    });
  }
  filterToolList(server, guard, options);
  return registered;
}
