import type { HandlerContext } from '@agentguard/core';

/** The guard's handler context of a call, found by the SDK's handler context of that call. */
export const handlerContexts = new WeakMap<object, HandlerContext>();
