import {
  GuardConfigError,
  type Guard,
  type GuardedTool,
  type OperationKind,
  type Sensitivity,
} from '@agentguard/core';
import { z } from 'zod';
import { filterToolList, type FilterToolListOptions } from './filter-tool-list.js';
import { handlerContexts } from './lib/handler-contexts.js';
import { inputCarrier } from './lib/input-carrier.js';
import {
  isGuardedTool,
  markGuarded,
  originalRegisterTool,
  registeredTools,
  sdkRegisterTool,
  type SdkToolConfig,
} from './lib/sdk.js';
import { gateToolCalls } from './lib/tool-call-gate.js';
import type { ApprovalTasks } from './create-approval-tasks.js';
import type { ExecuteGuarded } from './lib/approval-task-runner.js';
import { registerApprovalTaskTool } from './lib/approval-task-tool.js';
import { callGuarded } from './lib/call-guarded.js';
import type { McpServerLike } from './register-guarded-tool.js';

/** Options of {@link guardServer}. */
export interface GuardServerOptions extends FilterToolListOptions {
  /**
   * The operation of each tool, by name. Default: from the tool's annotations —
   * `readOnlyHint: true` is `read`, `destructiveHint: true` is `delete`, anything else
   * `write` (the stricter assumption).
   */
  readonly operations?: Readonly<Record<string, OperationKind>> | undefined;
  /** Sensitivity of each tool, by name. Default `internal`. */
  readonly sensitivity?: Readonly<Record<string, Sensitivity>> | undefined;
  /** Tags of each tool, by name, for rules and policies. Default none. */
  readonly tags?: Readonly<Record<string, readonly string[]>> | undefined;
  /**
   * Registers every tool as one whose call, when it needs approval, can run as an MCP task that
   * finishes when approvers decide (1.x SDK): see {@link createApprovalTasks}. Default: none.
   */
  readonly approvalTasks?: ApprovalTasks | undefined;
}

type Callback = (...args: unknown[]) => unknown;

interface Entry {
  readonly tool: GuardedTool;
  readonly input: z.ZodType;
  json: string | undefined;
}

const toolsByGuard = new WeakMap<Guard, Map<string, Entry>>();
// The SDK callback of the registration that is serving a call, found by the call context.
const callbacks = new WeakMap<object, { callback: Callback; withArgs: boolean }>();
function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

function toZod(schema: unknown, name: string): z.ZodType {
  if (schema === undefined) return z.object({});
  if (isZodSchema(schema)) return schema;
  if (
    typeof schema === 'object' &&
    schema !== null &&
    Object.values(schema).every((field) => isZodSchema(field))
  ) {
    return z.object(schema as Record<string, z.ZodType>);
  }
  throw new GuardConfigError('inputSchema must be a zod 4 schema or a zod raw shape', {
    path: `${name}.inputSchema`,
  });
}

function operationOf(annotations: Record<string, unknown> | undefined): OperationKind {
  if (annotations?.['readOnlyHint'] === true) return 'read';
  if (annotations?.['destructiveHint'] === true) return 'delete';
  return 'write';
}

function schemaJson(schema: z.ZodType): string {
  return JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
}

/**
 * Guards every tool registered on `server` from now on: `server.registerTool(name, config,
 * callback)` keeps its SDK signature, and each call runs the guard's pipeline before the
 * callback. `tools/list` shows each caller only the tools it may call. Call it before
 * registering tools (it refuses a server that already has tools, which would be unguarded).
 *
 * Fails closed: a tool that reaches the server past this `registerTool` (the 1.x SDK's
 * `tool()` or `experimental.tasks.registerToolTask`, a registered tool's
 * `update({ callback })`, ...) is not listed, and a call of it, like a call of a name no tool
 * has, gets the guard's rejection (`forbidden`, reason `unknown_tool`, after authentication).
 *
 * Works with per-request server factories: the guard keeps one guarded tool per name, and a
 * later registration of the same name must declare the same input schema.
 *
 * @example
 * const server = guardServer(new McpServer({ name: 'crm', version: '1.0.0' }), guard, {
 *   operations: { 'crm.delete_customer': 'delete' },
 * });
 * server.registerTool('crm.get_customer', { inputSchema: z.object({ id: z.string() }),
 *   annotations: { readOnlyHint: true } }, async ({ id }) => ({ content: [...] }));
 */
export function guardServer<T extends McpServerLike>(
  server: T,
  guard: Guard,
  options: GuardServerOptions = {},
): T {
  const original = sdkRegisterTool(server);
  if (original === undefined) {
    throw new GuardConfigError('server must be an McpServer', { path: 'server' });
  }
  const existing = Object.keys(registeredTools(server) ?? {});
  if (existing.some((name) => !isGuardedTool(server, name))) {
    throw new GuardConfigError('tools registered before guardServer() would not be guarded', {
      path: 'server',
    });
  }
  gateToolCalls(server, {
    guard,
    options,
    onToolList: () => filterToolList(server, guard, options),
  });
  let entries = toolsByGuard.get(guard);
  if (!entries) {
    entries = new Map();
    toolsByGuard.set(guard, entries);
  }
  const known = entries;

  function guardedToolFor(name: string, config: SdkToolConfig): Entry {
    const input = toZod(config.inputSchema, name);
    const found = known.get(name);
    if (found) {
      if (found.input !== input) {
        found.json ??= schemaJson(found.input);
        if (schemaJson(input) !== found.json) {
          throw new GuardConfigError(`tool ${name} was registered with another input schema`, {
            path: `${name}.inputSchema`,
          });
        }
      }
      return found;
    }
    const annotations = config.annotations;
    const tool = guard(
      name,
      {
        input,
        operation: options.operations?.[name] ?? operationOf(annotations),
        description: config.description,
        sensitivity: options.sensitivity?.[name],
        annotations: {
          title: config.title ?? (annotations?.['title'] as string | undefined),
          readOnlyHint: annotations?.['readOnlyHint'] as boolean | undefined,
          destructiveHint: annotations?.['destructiveHint'] as boolean | undefined,
          idempotentHint: annotations?.['idempotentHint'] as boolean | undefined,
          openWorldHint: annotations?.['openWorldHint'] as boolean | undefined,
          tags: options.tags?.[name],
        },
      },
      function runRegisteredCallback(args, context) {
        const registration = callbacks.get(context.call);
        const sdkContext = context.call.extra?.['mcp'];
        if (!registration || typeof sdkContext !== 'object' || sdkContext === null) {
          throw new Error('guarded MCP tool called outside its server');
        }
        handlerContexts.set(sdkContext, context);
        return registration.withArgs
          ? registration.callback(args, sdkContext)
          : registration.callback(sdkContext);
      },
    );
    const entry: Entry = { tool, input, json: undefined };
    known.set(name, entry);
    return entry;
  }

  const registerTool = function registerGuarded(
    name: string,
    config: SdkToolConfig,
    callback: Callback,
  ): unknown {
    if (typeof callback !== 'function') {
      throw new GuardConfigError('callback must be a function', { path: name });
    }
    const { tool } = guardedToolFor(name, config);
    const registration = { callback, withArgs: config.inputSchema !== undefined };
    const sdkConfig: SdkToolConfig = {
      ...config,
      inputSchema: inputCarrier(tool.definition.input),
    };
    const execute: ExecuteGuarded = (callArgs, context) => {
      // The pipeline hands this context object to the handler: it finds the callback.
      callbacks.set(context, registration);
      return tool.execute(callArgs, context);
    };
    let registered: unknown;
    if (options.approvalTasks === undefined) {
      const guardedCallback = (args: unknown, extra: unknown) =>
        callGuarded(execute, args, extra, options, true);
      markGuarded(guardedCallback, name);
      registered = original.call(server, name, sdkConfig, guardedCallback);
    } else {
      registered = registerApprovalTaskTool(server, guard, name, sdkConfig, {
        approvalTasks: options.approvalTasks,
        execute,
        sdkResults: true,
        options,
      });
    }
    filterToolList(server, guard, options);
    return registered;
  };
  originalRegisterTool.set(server, original);
  (server as { registerTool: unknown }).registerTool = registerTool;
  return server;
}
