import { GuardConfigError, type CallContext, type Guard } from '@agentguard/core';
import { readCallContext } from './lib/call-context.js';
import { GuardProtocolError } from './lib/protocol-error.js';
import { requestHandlers, type SdkExtra, type StoredRequestHandler } from './lib/sdk.js';
import { refusesTool } from './lib/tool-call-gate.js';
import type { McpServerLike } from './register-guarded-tool.js';

/** Options of {@link filterToolList}. */
export interface FilterToolListOptions {
  /**
   * The bearer token to use when the transport carries none. Over stdio there is no HTTP
   * request: the MCP spec has the server take credentials from its environment, for example
   * `token: () => process.env.AGENT_TOKEN`. Default: none (the authenticator decides).
   */
  readonly token?: string | (() => string | undefined) | undefined;
  /**
   * List tools that the guard does not know (registered on the server without a guard).
   * Default `false`: a guarded server lists only what the caller may call. Ignored on a server
   * guarded with `guardServer`, which refuses such tools.
   */
  readonly listUnguardedTools?: boolean | undefined;
  /**
   * Adds what the transport cannot know to each call's context before the guard sees it, for
   * example the client's country from a header your edge proxy sets
   * (`(ctx) => ({ ...ctx, country: ctx.headers?.['x-client-country'] as string })`). Only
   * use headers that a trusted proxy overwrites: anything else is the caller's say-so.
   * Default: the context as read from the transport.
   */
  readonly callContext?: ((context: CallContext) => CallContext) | undefined;
}

const filtered = new WeakSet<StoredRequestHandler>();

/**
 * Makes `tools/list` answer each caller with only the tools the guard lets it call
 * (`guard.visibleTools(principal)`, the same access-control stage that `tools/call` runs).
 * A caller that fails authentication gets the JSON-RPC error of the rejection
 * (`unauthenticated`, -32001). Idempotent; installed by {@link registerGuardedTool} and
 * {@link guardServer}. The SDK installs its `tools/list` handler with the first tool, so call
 * this after registering one.
 *
 * @example
 * registerGuardedTool(server, guard, getCustomer); // already filters
 * filterToolList(server, guard, { listUnguardedTools: true });
 */
export function filterToolList(
  server: McpServerLike,
  guard: Guard,
  options: FilterToolListOptions = {},
): void {
  const handlers = requestHandlers(server);
  if (!handlers) {
    throw new GuardConfigError('unsupported MCP SDK: cannot find the request handlers', {
      path: 'server',
    });
  }
  const original = handlers.get('tools/list');
  if (original === undefined || filtered.has(original)) return;
  const listUnguarded = options.listUnguardedTools === true;
  const filteredList: StoredRequestHandler = async function filteredToolList(request, extra) {
    const read = readCallContext(extra as SdkExtra | undefined, options.token, options.callContext);
    const context = read.ok ? read.context : {};
    const auth = await guard.authenticate(context);
    if (!auth.ok) throw new GuardProtocolError(auth.error);
    const visible = new Set((await guard.visibleTools(auth.value)).map((tool) => tool.name));
    const result = (await original(request, extra)) as { tools?: unknown } & Record<
      string,
      unknown
    >;
    if (!Array.isArray(result.tools)) return result;
    const tools = (result.tools as { name?: unknown }[]).filter((tool) => {
      const name = typeof tool.name === 'string' ? tool.name : '';
      // On a guardServer server, a tool registered past the guard is refused: never listed.
      if (refusesTool(server, name)) return false;
      return visible.has(name) || (listUnguarded && !guard.tools.has(name));
    });
    return { ...result, tools };
  };
  filtered.add(filteredList);
  handlers.set('tools/list', filteredList);
}
