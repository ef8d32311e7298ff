import type { HandlerContext } from '@agentguard/core';
import { handlerContexts } from './lib/handler-contexts.js';

/**
 * The guard's handler context (principal, decision id, obligations, signer, rate limit) of the
 * call an SDK handler context belongs to, inside a tool registered on a guarded server.
 *
 * @example
 * server.registerTool('whoami', { inputSchema: z.object({}) }, (_args, ctx) => {
 *   const { principal } = handlerContextOf(ctx)!;
 *   return { content: [{ type: 'text', text: principal.subject }] };
 * });
 */
export function handlerContextOf(sdkContext: unknown): HandlerContext | undefined {
  return typeof sdkContext === 'object' && sdkContext !== null
    ? handlerContexts.get(sdkContext)
    : undefined;
}
