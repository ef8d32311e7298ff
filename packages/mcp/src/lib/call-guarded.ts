import { ApprovalInvalidError, type GuardedResult, type GuardedTool } from '@agentguard/core';
import type { FilterToolListOptions } from '../filter-tool-list.js';
import { isCallToolResult, toToolResult } from '../to-tool-result.js';
import { toolErrorResult } from '../tool-error-result.js';
import { readCallContext } from './call-context.js';
import type { CallToolResultLike, SdkExtra } from './sdk.js';

/** What a guarded call answers, as the MCP result it becomes. */
export function toCallResult(result: GuardedResult<unknown>, sdkResults: boolean): unknown {
  if (!result.ok) return toolErrorResult(result.error);
  // A callback written for the SDK answers with the SDK's own result kinds: pass them on.
  if (sdkResults && !isCallToolResult(result.value) && typeof result.value === 'object') {
    return result.value;
  }
  return toToolResult(result.value, result.decision.decisionId);
}

/** The rejection of a call whose `_meta` holds a malformed approval id. */
export function malformedApprovalResult(reason: string): CallToolResultLike {
  return toolErrorResult(new ApprovalInvalidError('approval id malformed', { reason }));
}

/** Runs one MCP `tools/call` through the guard and answers with a tool result. */
export async function callGuarded(
  execute: GuardedTool['execute'],
  args: unknown,
  extra: unknown,
  options: FilterToolListOptions,
  sdkResults = false,
): Promise<unknown> {
  const read = readCallContext(extra as SdkExtra | undefined, options.token, options.callContext);
  if (!read.ok) return malformedApprovalResult(read.reason);
  return toCallResult(await execute(args, read.context), sdkResults);
}
