import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '@agentguard/core';
import { authInfoFor } from './lib/auth-info.js';
import { bearerToken, challengeFor, type ChallengeOptions } from '@agentguard/core';
import type { AuthInfoLike } from './lib/sdk.js';

/** Options of {@link mcpAuthChallenge} and {@link guardMcpHandler}. */
export interface McpAuthChallengeOptions extends ChallengeOptions {
  /** `realm` of the Bearer challenge. Default `mcp`. */
  readonly realm?: string | undefined;
  /**
   * RFC 9728 protected resource metadata URL, advertised as `resource_metadata` in every
   * challenge so MCP clients can discover the authorization server (MCP authorization spec).
   * Default: not advertised.
   */
  readonly resourceMetadataUrl?: string | undefined;
}

/** A Node request as Express or `node:http` hands it over, with what upstream may have set. */
export type McpNodeRequest = IncomingMessage & { auth?: AuthInfoLike; ip?: string | undefined };

/** A middleware for Express and for `node:http` (call it with a `next` callback). */
export type McpNodeMiddleware = (
  req: McpNodeRequest,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * HTTP authentication gate for an MCP endpoint (Express or `node:http`). It runs the guard's
 * authenticator on the bearer token before the MCP transport sees the request and answers a
 * failure with `401` and a `WWW-Authenticate` challenge (with `resource_metadata` when
 * configured), as the MCP authorization spec requires so clients can re-authorize. On success
 * it sets `req.auth` (the SDKs' `AuthInfo`), which both SDK majors' Streamable HTTP transports
 * (and `toNodeHandler` of `@modelcontextprotocol/node`) pass to tool handlers.
 *
 * @example
 * app.post('/mcp', mcpAuthChallenge(guard, { resourceMetadataUrl }), async (req, res) => {
 *   const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
 *   await createServer().connect(transport);
 *   await transport.handleRequest(req, res, req.body);
 * });
 */
export function mcpAuthChallenge(
  guard: Guard,
  options: McpAuthChallengeOptions = {},
): McpNodeMiddleware {
  const challengeOptions: ChallengeOptions = {
    realm: options.realm ?? 'mcp',
    resourceMetadataUrl: options.resourceMetadataUrl,
  };
  return function mcpAuthChallengeMiddleware(req, res, next) {
    const header = req.headers.authorization;
    const token = bearerToken(header);
    const userAgent = req.headers['user-agent'];
    const ip = req.ip ?? req.socket.remoteAddress;
    const traceparent = req.headers.traceparent;
    guard
      .authenticate({
        token,
        headers: req.headers,
        ip,
        userAgent,
        traceparent: typeof traceparent === 'string' ? traceparent : undefined,
        extra: { transport: 'mcp-http' },
      })
      .then((auth) => {
        if (auth.ok) {
          req.auth = authInfoFor(auth.value, token, { ip, userAgent });
          next();
          return;
        }
        const error = auth.error;
        const challenge = challengeFor(error, {
          ...challengeOptions,
          tokenPresented: header !== undefined,
        });
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'cache-control': 'no-store',
        };
        if (challenge) headers['www-authenticate'] = challenge.wwwAuthenticate;
        res.writeHead(challenge?.status ?? error.status, headers);
        res.end(JSON.stringify(error.toJSON()));
      }, next);
  };
}
