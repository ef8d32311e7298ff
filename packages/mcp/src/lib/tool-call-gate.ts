import { GuardConfigError, type Guard } from '@agentguard/core';
import type { FilterToolListOptions } from '../filter-tool-list.js';
import { toolErrorResult } from '../tool-error-result.js';
import { readCallContext } from './call-context.js';
import { GuardProtocolError } from './protocol-error.js';
import { isGuardedTool, requestHandlers, type SdkExtra, type StoredRequestHandler } from './sdk.js';

/** What {@link gateToolCalls} needs besides the server. */
export interface ToolCallGateSpec {
  readonly guard: Guard;
  readonly options: FilterToolListOptions;
  /** Called each time the server (re)installs its `tools/list` handler. */
  readonly onToolList: () => void;
}

const gatedServers = new WeakMap<object, Guard>();
// Each gate, with the handler it wraps.
const gates = new WeakMap<StoredRequestHandler, StoredRequestHandler>();
// `tools/call` handlers that dispatch to the server's registered tools: the McpServer's own,
// and this adapter's routing around it. Any other is a dispatcher the guard cannot see into.
const dispatchers = new WeakSet<StoredRequestHandler>();

/**
 * Whether `server` is gated and refuses calls of `name`: the name is not a tool registered
 * through this adapter (registered past `guardServer`, its callback replaced, or unknown).
 */
export function refusesTool(server: object, name: string): boolean {
  return gatedServers.has(server) && !isGuardedTool(server, name);
}

/** The handler a gate wraps; any other handler as it is. */
export function ungated(handler: StoredRequestHandler): StoredRequestHandler {
  return gates.get(handler) ?? handler;
}

/** Trusts `handler` as a dispatcher to registered tools when `inner`, which it wraps, is one. */
export function trustDispatcher(handler: StoredRequestHandler, inner: StoredRequestHandler): void {
  if (dispatchers.has(inner)) dispatchers.add(handler);
}

function gate(
  server: object,
  spec: ToolCallGateSpec,
  inner: StoredRequestHandler,
): StoredRequestHandler {
  const { guard, options } = spec;
  // A `tools/call` handler installed past the McpServer (`server.server.setRequestHandler`)
  // would run whatever it dispatches to unguarded: then every call is refused.
  const dispatches = dispatchers.has(inner);
  const gated: StoredRequestHandler = async function gatedToolCall(request, extra) {
    const params = (request as { params?: { name?: unknown; task?: unknown } } | undefined)?.params;
    const name = params?.name;
    // A malformed request is the SDK's to refuse; it never reaches a tool.
    if (dispatches && (typeof name !== 'string' || !refusesTool(server, name))) {
      return inner(request, extra);
    }
    // The guard refuses it as the pipeline would (authentication first: an unknown caller
    // learns nothing more) and audits the refusal like any other call.
    const read = readCallContext(extra as SdkExtra | undefined, options.token, options.callContext);
    const { error } = await guard.rejectUnknownTool(
      typeof name === 'string' ? name : '',
      read.ok ? read.context : {},
    );
    // A task-augmented call expects a task, not a tool result: refuse it as a JSON-RPC error.
    if (params?.task !== undefined) throw new GuardProtocolError(error);
    return toolErrorResult(error);
  };
  gates.set(gated, inner);
  return gated;
}

/**
 * Fails closed on a guarded server: every `tools/call` of a name that is not a tool registered
 * through this adapter gets the guard's rejection (`unauthenticated`, else `forbidden` with
 * reason `unknown_tool`), never the SDK's dispatch to its handler. That covers every way a tool
 * reaches the SDK's registry past `guardServer`'s `registerTool` (the 1.x `tool()` and
 * `experimental.tasks.registerToolTask`, a registered tool's `update({ callback })`, the
 * prototype's `registerTool`) and names that no tool has, which read the same.
 *
 * The SDKs install their `tools/list` and `tools/call` handlers with the first tool, whichever
 * way it is registered: the handler map of the low-level server gates every `tools/call`
 * handler set on it from now on, and one the McpServer did not install refuses every call.
 */
export function gateToolCalls(server: object, spec: ToolCallGateSpec): void {
  const handlers = requestHandlers(server);
  const mcp = server as { setToolRequestHandlers?: unknown; _toolHandlersInitialized?: unknown };
  const installTools = mcp.setToolRequestHandlers;
  if (!handlers || typeof installTools !== 'function') {
    throw new GuardConfigError('unsupported MCP SDK: cannot find the request handlers', {
      path: 'server',
    });
  }
  const gatedBy = gatedServers.get(server);
  if (gatedBy !== undefined) {
    if (gatedBy !== spec.guard) {
      throw new GuardConfigError('the server is guarded by another guard', { path: 'server' });
    }
    return;
  }
  gatedServers.set(server, spec.guard);
  // The McpServer installs its dispatcher there, with its first tool (or in its constructor,
  // before this ran, when the tools capability was declared).
  let installing = false;
  mcp.setToolRequestHandlers = function setGuardedToolRequestHandlers(this: unknown): unknown {
    installing = true;
    try {
      return (installTools as () => unknown).call(this);
    } finally {
      installing = false;
    }
  };
  const existing = handlers.get('tools/call');
  if (existing !== undefined && mcp._toolHandlersInitialized === true) dispatchers.add(existing);
  const set = handlers.set.bind(handlers);
  Object.defineProperty(handlers, 'set', {
    configurable: true,
    writable: true,
    value: function setGated(method: string, handler: StoredRequestHandler) {
      if (method === 'tools/call' && typeof handler === 'function' && !gates.has(handler)) {
        if (installing) dispatchers.add(handler);
        set(method, gate(server, spec, handler));
      } else {
        set(method, handler);
      }
      if (method === 'tools/list') spec.onToolList();
      return handlers;
    },
  });
  if (existing !== undefined) handlers.set('tools/call', existing);
  if (handlers.has('tools/list')) spec.onToolList();
  hidePreDispatchChecks(server);
}

/**
 * The 2.x SDK's HTTP entry asks the McpServer, before any handler runs, for the scope
 * challenge of the tool a `tools/call` names (`resolveScopeChallenge`) and for its input
 * schema, to check SEP-2243 `Mcp-Param-*` headers against (`toolInputSchemaJson`). For a tool
 * the gate refuses, both answer as for a name no tool has (nothing): otherwise a 403 challenge
 * or a 400 header mismatch would tell the caller the tool exists. The SDK reads both off the
 * server at each request, so instance members put in front of them are what it calls.
 */
function hidePreDispatchChecks(server: object): void {
  const mcp = server as {
    resolveScopeChallenge?: unknown;
    toolInputSchemaJson?: unknown;
  };
  const resolve = mcp.resolveScopeChallenge;
  if (typeof resolve === 'function') {
    mcp.resolveScopeChallenge = function resolveGuardedScopeChallenge(
      this: unknown,
      context: { request?: { method?: unknown; params?: { name?: unknown } } } | undefined,
    ): unknown {
      const request = context?.request;
      const name = request?.params?.name;
      if (
        request?.method === 'tools/call' &&
        typeof name === 'string' &&
        refusesTool(server, name)
      ) {
        return undefined;
      }
      return (resolve as (context: unknown) => unknown).call(this, context);
    };
  }
  const inputSchema = mcp.toolInputSchemaJson;
  if (typeof inputSchema === 'function') {
    mcp.toolInputSchemaJson = function guardedToolInputSchemaJson(
      this: unknown,
      name: unknown,
    ): unknown {
      if (typeof name === 'string' && refusesTool(server, name)) return undefined;
      return (inputSchema as (name: unknown) => unknown).call(this, name);
    };
  }
}
