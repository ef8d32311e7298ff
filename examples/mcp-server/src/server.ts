import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallContext } from '@agentguard/core';
import { guardMcpHandler, registerGuardedTool } from '@agentguard/mcp';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { createApprovalDesk, type ApprovalDesk } from './approval-desk.js';
import { createCrmGuard, type CrmGuard, type CrmGuardOptions } from './crm-guard.js';
import { AGENT_AUDIENCE } from './dev-identity.js';

/** Options of {@link startMcpServer}. */
export interface McpServerOptions extends Omit<CrmGuardOptions, 'approvals'> {
  /** Default 0: any free port on 127.0.0.1. */
  readonly port?: number;
}

/** A running example server. */
export interface RunningMcpServer {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  /** The MCP endpoint (Streamable HTTP). */
  readonly mcpUrl: string;
  readonly crm: CrmGuard;
  readonly approvals: ApprovalDesk;
  close(): Promise<void>;
}

/**
 * Starts the CRM + payments MCP server on 127.0.0.1 (MCP TypeScript SDK 2.x, Streamable HTTP):
 * - `POST /mcp`: the MCP endpoint; a missing or bad token is answered 401 with a
 *   `WWW-Authenticate` challenge before MCP runs; every tool call passes the guard.
 * - `GET /approvals`, `POST /approvals/:id/approve|reject`: the approvers' plane, which only
 *   accepts tokens issued for the approvals audience.
 * - `GET /.well-known/oauth-protected-resource/mcp`: protected-resource metadata (RFC 9728).
 */
export async function startMcpServer(options: McpServerOptions): Promise<RunningMcpServer> {
  // Listen first: the 401 challenges name the metadata URL, which needs the port.
  const app: { route?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => {
    if (app.route) app.route(req, res);
    else send(res, 503, { error: 'starting' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const resourceMetadataUrl = `${base}/.well-known/oauth-protected-resource/mcp`;

  const approvals = await createApprovalDesk({ issuer: 'https://approvals.crm.agentguard.test' });
  const crm = createCrmGuard({ ...options, approvals, resourceMetadataUrl });
  const { guard, tools, approverAuth } = crm;
  // The country comes from a header that the edge proxy in front of this server sets (and
  // overwrites): the guard's GDPR policy reads it as `request.country`.
  const toolOptions = {
    callContext: (context: CallContext): CallContext => {
      const country = context.headers?.['x-client-country'];
      return typeof country === 'string' && /^[A-Z]{2}$/.test(country)
        ? { ...context, country }
        : context;
    },
  };

  // The 2.x SDK builds one McpServer per request; the guarded tools are made once, above.
  function buildServer(): McpServer {
    const server = new McpServer({ name: 'agentguard-crm', version: '1.0.0' });
    registerGuardedTool(server, guard, tools.lookupCustomer, toolOptions);
    registerGuardedTool(server, guard, tools.transfer, toolOptions);
    registerGuardedTool(server, guard, tools.deleteCustomer, toolOptions);
    return server;
  }

  const mcp = createMcpHandler(buildServer);
  const mcpNode = toNodeHandler(guardMcpHandler(mcp, guard, { resourceMetadataUrl }));

  async function approvalsRoute(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> {
    const auth = await approverAuth.authenticate({ headers: req.headers });
    if (!auth.ok) {
      const challenge = (auth.error as { wwwAuthenticate?: string }).wwwAuthenticate;
      return send(
        res,
        auth.error.status,
        auth.error.toJSON(),
        challenge ? { 'www-authenticate': challenge } : {},
      );
    }
    if (req.method === 'GET' && path === '/approvals') {
      return send(res, 200, { pending: approvals.pending(auth.value) });
    }
    const match = /^\/approvals\/([\w-]{1,64})\/(approve|reject)$/.exec(path);
    if (req.method === 'POST' && match) {
      const decided = approvals.decide(
        match[1]!,
        auth.value,
        match[2] === 'approve' ? 'approve' : 'reject',
      );
      return decided.ok
        ? send(res, 200, decided.value)
        : send(res, decided.error.status, decided.error.toJSON());
    }
    send(res, 404, { error: 'not_found' });
  }

  app.route = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/mcp') return void mcpNode(req as never, res);
    if (path === '/approvals' || path.startsWith('/approvals/')) {
      return void approvalsRoute(req, res, path).catch(() =>
        send(res, 500, { error: 'internal_error' }),
      );
    }
    if (path === '/.well-known/oauth-protected-resource/mcp') {
      return send(res, 200, {
        resource: AGENT_AUDIENCE,
        authorization_servers: [options.idp.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: [],
      });
    }
    send(res, 404, { error: 'not_found' });
  };
  return {
    url: base,
    mcpUrl: `${base}/mcp`,
    crm,
    approvals,
    async close() {
      await mcp.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await guard.close();
    },
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
