import type { CallContext, HeaderBag } from '@agentguard/core';
import { APPROVAL_META_KEY } from '../meta-keys.js';
import type { SdkExtra } from './sdk.js';

/** Keys the HTTP challenge middleware stores in `authInfo.extra` (server-side, trusted). */
export const IP_EXTRA_KEY = 'agentguard/ip';
export const USER_AGENT_EXTRA_KEY = 'agentguard/userAgent';

const APPROVAL_ID = /^[\x21-\x7e]{1,256}$/;

/** What the adapter read from the SDK's handler context. */
export type ReadContext =
  | { readonly ok: true; readonly context: CallContext }
  | { readonly ok: false; readonly reason: 'approval_id_malformed' };

function headersOf(extra: SdkExtra): Record<string, string | string[]> | undefined {
  const req = extra.http?.req;
  if (req !== undefined && typeof req.headers.forEach === 'function') {
    const out: Record<string, string> = {};
    req.headers.forEach((value, key) => {
      out[key] = value;
    });
    return out;
  }
  const raw = extra.requestInfo?.headers;
  if (raw === undefined) return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' || Array.isArray(value)) out[key.toLowerCase()] = value;
  }
  return out;
}

function single(headers: HeaderBag | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Builds the guard's call context from an MCP handler context (2.x) or extra (1.x): the
 * bearer token from `authInfo` (else the `authorization` header, which authenticators read),
 * headers, trace context, the approval id from `_meta`, the abort signal.
 */
export function readCallContext(
  extra: SdkExtra | undefined,
  fallbackToken?: string | (() => string | undefined),
  enrich?: (context: CallContext) => CallContext,
): ReadContext {
  const source: SdkExtra = extra ?? {};
  const authInfo = source.http?.authInfo ?? source.authInfo;
  const meta = source.mcpReq?._meta ?? source._meta;
  const headers = headersOf(source);
  const token =
    typeof authInfo?.token === 'string' && authInfo.token.length > 0
      ? authInfo.token
      : typeof fallbackToken === 'function'
        ? fallbackToken()
        : fallbackToken;
  const ip = authInfo?.extra?.[IP_EXTRA_KEY];
  const userAgent = single(headers, 'user-agent') ?? authInfo?.extra?.[USER_AGENT_EXTRA_KEY];
  const traceparent =
    single(headers, 'traceparent') ??
    (typeof meta?.['traceparent'] === 'string' ? meta['traceparent'] : undefined);
  let approvalId: string | undefined;
  const presented = meta?.[APPROVAL_META_KEY] ?? meta?.['approvalId'];
  if (presented !== undefined) {
    if (typeof presented !== 'string' || !APPROVAL_ID.test(presented)) {
      return { ok: false, reason: 'approval_id_malformed' };
    }
    approvalId = presented;
  }
  const context: CallContext = {
    token,
    headers,
    ip: typeof ip === 'string' ? ip : undefined,
    userAgent: typeof userAgent === 'string' ? userAgent : undefined,
    traceparent,
    approvalId,
    signal: source.mcpReq?.signal ?? source.signal,
    extra: {
      transport: 'mcp',
      sessionId: source.sessionId,
      requestId: source.mcpReq?.id ?? source.requestId,
      mcp: extra,
    },
  };
  return { ok: true, context: enrich ? enrich(context) : context };
}
