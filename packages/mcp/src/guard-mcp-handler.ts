import { StepUpRequiredError, type Guard, type StepUpChallenge } from '@agentguard/core';
import { authInfoFor } from './lib/auth-info.js';
import { bearerToken, challengeFor, type ChallengeOptions } from '@agentguard/core';
import type { AuthInfoLike } from './lib/sdk.js';
import type { McpAuthChallengeOptions } from './mcp-auth-challenge.js';
import { CODE_META_KEY } from './meta-keys.js';

/**
 * The fetch face of a 2.x `createMcpHandler()` handler, or of any fetch-shaped MCP handler (a
 * 1.x `WebStandardStreamableHTTPServerTransport`: `{ fetch: (r, o) => transport.handleRequest(r, o) }`).
 */
export interface FetchMcpHandler {
  fetch: (
    request: Request,
    options?: { authInfo?: AuthInfoLike; parsedBody?: unknown },
  ) => Promise<Response>;
}

/** Options of {@link guardMcpHandler}. */
export interface GuardMcpHandlerOptions extends McpAuthChallengeOptions {
  /**
   * Answer a `tools/call` that a policy rejected with `step_up_required` with an HTTP
   * challenge instead of `200`: `401 insufficient_user_authentication` (RFC 9470) when the
   * challenge names `acr_values` / `max_age`, `403 insufficient_scope` when it names scopes
   * only; the body is the JSON-RPC response (the tool result). To see the result before the
   * status is sent, the response of each `tools/call` is buffered (JSON, or the SSE stream
   * that ends with the result): progress notifications of a call arrive with its result.
   * `false` streams as the SDK does and leaves the challenge in the tool result only.
   * Default `true`.
   */
  readonly stepUpChallenge?: boolean | undefined;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? value
    : undefined;
}

/** The step-up challenge carried by a JSON-RPC tool result, when it is one. */
function stepUpOf(message: unknown): StepUpChallenge | undefined {
  const result = (message as { result?: unknown } | null)?.result as
    { _meta?: Record<string, unknown>; structuredContent?: { challenge?: unknown } } | undefined;
  if (result?._meta?.[CODE_META_KEY] !== 'step_up_required') return undefined;
  const raw = (result.structuredContent?.challenge ?? {}) as Record<string, unknown>;
  const challenge: { acrValues?: string[]; maxAge?: number; scopes?: string[] } = {};
  const acrValues = strings(raw['acrValues']);
  const scopes = strings(raw['scopes']);
  if (acrValues) challenge.acrValues = acrValues;
  if (scopes) challenge.scopes = scopes;
  if (typeof raw['maxAge'] === 'number') challenge.maxAge = raw['maxAge'];
  return challenge;
}

/** The JSON-RPC messages of a response body: one JSON value, or the `data` of SSE events. */
function messagesOf(text: string, contentType: string): unknown[] {
  const parse = (json: string): unknown => {
    try {
      return JSON.parse(json) as unknown;
    } catch {
      return undefined;
    }
  };
  if (contentType.includes('application/json')) return [parse(text)];
  const messages: unknown[] = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data.length > 0) messages.push(parse(data));
  }
  return messages;
}

const PEEK_LIMIT = 1_048_576;

/** Whether a request is a single `tools/call` (the only call that can be stepped up). */
async function isToolCall(request: Request, parsedBody: unknown): Promise<boolean> {
  if (request.method !== 'POST') return false;
  let body = parsedBody;
  if (body === undefined) {
    const length = Number(request.headers.get('content-length') ?? '0');
    if (length > PEEK_LIMIT || request.body === null) return false;
    try {
      body = JSON.parse(await request.clone().text()) as unknown;
    } catch {
      return false;
    }
  }
  return (body as { method?: unknown } | null)?.method === 'tools/call';
}

/**
 * Guards a fetch-shaped MCP handler (2.x `createMcpHandler(factory)`): authenticates the
 * bearer token before the handler runs (401 + `WWW-Authenticate` on failure, per the MCP
 * authorization spec), passes the result on as `authInfo` to tool handlers, and turns a
 * step-up rejection of a `tools/call` into the HTTP challenge of RFC 9470 / RFC 6750.
 * Everything else of the handler (`close`, `notify`, `bus`) is kept.
 *
 * @example
 * const handler = guardMcpHandler(createMcpHandler(() => buildServer()), guard);
 * http.createServer(toNodeHandler(handler)).listen(3000, '127.0.0.1');
 */
export function guardMcpHandler<H extends FetchMcpHandler>(
  handler: H,
  guard: Guard,
  options: GuardMcpHandlerOptions = {},
): H {
  const challengeOptions: ChallengeOptions = {
    realm: options.realm ?? 'mcp',
    resourceMetadataUrl: options.resourceMetadataUrl,
  };
  const stepUp = options.stepUpChallenge !== false;

  async function guardedFetch(
    request: Request,
    requestOptions: { authInfo?: AuthInfoLike; parsedBody?: unknown } = {},
  ): Promise<Response> {
    const header = request.headers.get('authorization');
    const token = requestOptions.authInfo?.token || bearerToken(header);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const userAgent = headers['user-agent'];
    const auth = await guard.authenticate({
      token,
      headers,
      userAgent,
      traceparent: headers['traceparent'],
      extra: { transport: 'mcp-http' },
    });
    if (!auth.ok) {
      const challenge = challengeFor(auth.error, {
        ...challengeOptions,
        tokenPresented: header !== null,
      });
      const responseHeaders: Record<string, string> = {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      };
      if (challenge) responseHeaders['www-authenticate'] = challenge.wwwAuthenticate;
      return new Response(JSON.stringify(auth.error.toJSON()), {
        status: challenge?.status ?? auth.error.status,
        headers: responseHeaders,
      });
    }
    const authInfo =
      requestOptions.authInfo ?? authInfoFor(auth.value, token, { ip: undefined, userAgent });
    const watch = stepUp && (await isToolCall(request, requestOptions.parsedBody));
    const response = await handler.fetch(request, { ...requestOptions, authInfo });
    if (!watch || response.status !== 200) return response;
    // Buffer the one response (JSON, or the SSE stream the call's result ends) to see whether
    // it is a step-up rejection, which must become an HTTP challenge.
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    for (const message of messagesOf(text, contentType)) {
      const challenge = stepUpOf(message);
      const http = challenge && challengeFor(new StepUpRequiredError(challenge), challengeOptions);
      if (http) {
        return new Response(JSON.stringify(message), {
          status: http.status,
          headers: {
            'content-type': 'application/json',
            'cache-control': 'no-store',
            'www-authenticate': http.wwwAuthenticate,
          },
        });
      }
    }
    return new Response(text, { status: response.status, headers: response.headers });
  }

  return Object.create(handler, {
    fetch: { value: guardedFetch, enumerable: true },
  }) as H;
}
