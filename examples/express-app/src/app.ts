import type { AddressInfo } from 'node:net';
import express from 'express';
import { createExpressGuard } from '@agentguard/express';
import {
  createApprovalDesk,
  createCrmStages,
  crmToolSpecs,
  type CrmGuardOptions,
} from '@agentguard-examples/mcp-server';

/** A running Express app. */
export interface RunningExpressApp {
  readonly url: string;
  readonly stages: ReturnType<typeof createCrmStages>;
  close(): Promise<void>;
}

/**
 * The example's tools as a REST API: the same guard (jwt-auth, rbac, policies, masking,
 * signing, audit) as the MCP server, with each route guarded by `guardRoute`.
 *
 * - `GET  /customers/:customerId`          → crm.lookup_customer
 * - `POST /transfers` `{ from, to, amount }` → payments.transfer (approval id: `AgentGuard-Approval` header)
 * - `DELETE /customers/:customerId`        → admin.delete_customer
 */
export async function startExpressApp(
  options: Omit<CrmGuardOptions, 'approvals'> & { readonly port?: number },
): Promise<RunningExpressApp> {
  const approvals = await createApprovalDesk({ issuer: 'https://approvals.crm.agentguard.test' });
  const stages = createCrmStages({ ...options, approvals });
  const tools = crmToolSpecs(options.backendUrl);
  const { guardRoute } = createExpressGuard(stages.guard, { realm: 'crm-api' });

  const app = express();
  app.set('trust proxy', 'loopback');
  app.get(
    '/customers/:customerId',
    guardRoute(
      tools.lookupCustomer.name,
      tools.lookupCustomer.definition,
      tools.lookupCustomer.handler,
    ),
  );
  app.post(
    '/transfers',
    guardRoute(tools.transfer.name, tools.transfer.definition, tools.transfer.handler),
  );
  app.delete(
    '/customers/:customerId',
    guardRoute(
      tools.deleteCustomer.name,
      tools.deleteCustomer.definition,
      tools.deleteCustomer.handler,
    ),
  );

  const server = app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stages,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stages.guard.close();
    },
  };
}
