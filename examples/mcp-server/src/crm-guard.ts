import { z } from 'zod';
import {
  ForbiddenError,
  createGuard,
  type ToolDefinition,
  type ToolHandler,
  memoryAuditSink,
  type AuditSink,
  type Guard,
  type MemoryAuditSink,
} from '@agentguard/core';
import { createSigner, type HmacKeyInput } from '@agentguard/hmac-signing';
import { jwtAuth } from '@agentguard/jwt-auth';
import { createMasker } from '@agentguard/masking';
import { policyEngine } from '@agentguard/policy';
import { rbac } from '@agentguard/rbac';
import type { ApprovalDesk } from './approval-desk.js';
import { createCrmData } from './crm-data.js';
import {
  AGENT_AUDIENCE,
  APPROVER_AUDIENCE,
  LOA_MFA,
  type DevIdentityProvider,
} from './dev-identity.js';

/** Options of {@link createCrmGuard}. */
export interface CrmGuardOptions {
  /** Where tokens come from (in production: your IdP's issuer and JWKS URL). */
  readonly idp: Pick<DevIdentityProvider, 'issuer' | 'jwks'>;
  /** The key the guard signs forwarded calls with; the backend holds the same one. */
  readonly signingKey: HmacKeyInput;
  /** Base URL of the payments backend. */
  readonly backendUrl: string;
  readonly approvals: ApprovalDesk;
  /** Base64 32-byte master key for reversible tokenization (GDPR profile). */
  readonly maskingKey: string;
  /** Extra audit sinks (a memory sink is always there, for the demo's summary). */
  readonly sinks?: readonly AuditSink[];
  /** RFC 9728 metadata URL advertised in 401 challenges, so MCP clients can find the IdP. */
  readonly resourceMetadataUrl?: string;
}

/** EU/EEA countries: callers from here get the GDPR masking profile. */
const EU = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
];

/**
 * The whole guard of the example, stage by stage, as a user would write it (no tools yet).
 */
export function createCrmStages(options: Omit<CrmGuardOptions, 'backendUrl'>) {
  const audit: MemoryAuditSink = memoryAuditSink();
  const agentAuth = jwtAuth({
    issuer: options.idp.issuer,
    audience: AGENT_AUDIENCE,
    algorithms: ['ES256'],
    jwks: options.idp.jwks,
    typ: 'at+jwt',
    realm: 'mcp',
    resourceMetadata: options.resourceMetadataUrl,
  });
  // The approvers' plane: same IdP, another audience. A tool-calling token is refused here,
  // and an approver token is refused on the tools.
  const approverAuth = jwtAuth({
    issuer: options.idp.issuer,
    audience: APPROVER_AUDIENCE,
    algorithms: ['ES256'],
    jwks: options.idp.jwks,
    typ: 'at+jwt',
    realm: 'approvals',
  });

  const guard: Guard = createGuard({
    authenticator: agentAuth,
    accessControl: rbac({
      mode: 'roles',
      rules: [
        { id: 'support-reads-crm', tools: ['crm.*'], operations: ['read'], roles: ['support'] },
        { id: 'payments-transfers', tools: ['payments.transfer'], roles: ['payments'] },
        { id: 'admins-administer', tools: ['admin.*'], roles: ['admin'] },
      ],
      hierarchy: { admin: ['support'] },
    }),
    rateLimits: [
      {
        id: 'crm-lookups',
        limit: 5,
        windowMs: 60_000,
        tools: ['crm.*'],
        by: ['tenant', 'principal'],
      },
    ],
    policy: policyEngine({
      policies: [
        {
          id: 'high-risk-agents-read-only',
          description: 'Agents rated high-risk may not change anything',
          target: { operations: ['write', 'delete'] },
          condition: { '==': [{ var: 'principal.agent.riskTier' }, 'high'] },
          action: 'deny',
        },
        {
          id: 'transfers-over-1000-need-mfa',
          target: { tools: ['payments.transfer'] },
          condition: { '>': [{ var: 'args.amount' }, 1000] },
          action: { type: 'step_up', acrValues: [LOA_MFA], maxAge: 600 },
        },
        {
          id: 'transfers-over-10000-need-approval',
          target: { tools: ['payments.transfer'] },
          condition: { '>': [{ var: 'args.amount' }, 10_000] },
          action: { type: 'require_approval', flowId: 'finance' },
        },
        {
          id: 'gdpr-for-eu-callers',
          target: { tags: ['pii'] },
          condition: { country_in: [{ var: 'request.country' }, EU] },
          action: { type: 'mask', profile: 'GDPR' },
        },
      ],
    }),
    approvals: options.approvals,
    signer: createSigner({ keys: [options.signingKey] }),
    masker: createMasker({
      strategies: { CREDIT_CARD: { type: 'partial', keepLast: 4 } },
      profiles: { GDPR: { strategies: { EMAIL: 'tokenize', PHONE: 'tokenize' } } },
      masterKey: options.maskingKey,
    }),
    audit: { sinks: [audit, ...(options.sinks ?? [])], recordArgs: true },
  });

  return { guard, audit, approverAuth };
}

/** The example's guard with its three tools guarded (for the MCP server). */
export function createCrmGuard(options: CrmGuardOptions) {
  const { guard, audit, approverAuth } = createCrmStages(options);
  const specs = crmToolSpecs(options.backendUrl);
  const lookupCustomer = guard(
    specs.lookupCustomer.name,
    specs.lookupCustomer.definition,
    specs.lookupCustomer.handler,
  );
  const transfer = guard(specs.transfer.name, specs.transfer.definition, specs.transfer.handler);
  const deleteCustomer = guard(
    specs.deleteCustomer.name,
    specs.deleteCustomer.definition,
    specs.deleteCustomer.handler,
  );

  return { guard, audit, approverAuth, tools: { lookupCustomer, transfer, deleteCustomer } };
}

/** A tool as a name, a definition and a handler: what `guard()` and `guardRoute()` take. */
export interface ToolSpec<S extends z.ZodType, R> {
  readonly name: string;
  readonly definition: ToolDefinition<S>;
  readonly handler: ToolHandler<S, R>;
}

function spec<S extends z.ZodType, R>(
  name: string,
  definition: ToolDefinition<S>,
  handler: ToolHandler<S, R>,
): ToolSpec<S, R> {
  return { name, definition, handler };
}

/**
 * The three tools of the example, independent of the transport: the MCP server registers them
 * with `guard()`, the Express app with `guardRoute()`.
 */
export function crmToolSpecs(backendUrl: string) {
  const crm = createCrmData();

  const lookupCustomer = spec(
    'crm.lookup_customer',
    {
      description: 'Look up a customer of your organisation by id',
      input: z.object({ customerId: z.string().regex(/^cus_[a-z0-9]{2,32}$/) }),
      operation: 'read',
      annotations: { readOnlyHint: true, tags: ['crm', 'pii'] },
      sensitivity: 'confidential',
    },
    ({ customerId }, { principal }) => {
      // Tenant isolation is structural: the tenant comes from the verified token, never from
      // an argument, so another tenant's record is simply not there.
      const customer = crm.get(principal.tenantId)?.get(customerId);
      if (!customer)
        throw new ForbiddenError('no such customer in your organisation', {
          reason: 'not_in_tenant',
        });
      return customer;
    },
  );

  const transfer = spec(
    'payments.transfer',
    {
      description: 'Transfer money between two accounts (forwarded to the payments backend)',
      input: z.object({
        from: z.string().regex(/^acc_\w{1,32}$/),
        to: z.string().regex(/^acc_\w{1,32}$/),
        amount: z.number().positive().max(1_000_000),
      }),
      operation: 'write',
      annotations: { destructiveHint: false, tags: ['payments'] },
      sensitivity: 'restricted',
    },
    async (args, { signer }) => {
      // The signer adds an RFC 9421 signature and the identity headers (who, tenant, agent,
      // decision id, approval receipt); the backend verifies them before doing anything.
      const response = await signer!.fetch(`${backendUrl}/v1/transfers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(args),
      });
      if (!response.ok) throw new Error(`backend answered ${response.status}`);
      return (await response.json()) as Record<string, unknown>;
    },
  );

  const deleteCustomer = spec(
    'admin.delete_customer',
    {
      description: 'Delete a customer (administrators only)',
      input: z.object({ customerId: z.string().regex(/^cus_[a-z0-9]{2,32}$/) }),
      operation: 'delete',
      annotations: { destructiveHint: true, tags: ['crm'] },
    },
    ({ customerId }, { principal }) => ({
      deleted: crm.get(principal.tenantId)?.delete(customerId) ?? false,
    }),
  );

  return { lookupCustomer, transfer, deleteCustomer };
}

/** What {@link createCrmGuard} returns. */
export type CrmGuard = ReturnType<typeof createCrmGuard>;
