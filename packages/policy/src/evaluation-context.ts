import type { PolicyInput } from '@agentguard/core';
import { z } from 'zod';

const strings = z.array(z.string());

/**
 * What a policy condition sees: the data `var` reads. Built once per call from the
 * `PolicyInput` core passes to the policy stage. Absent facts are absent (so `var` defaults
 * and `missing` work), never `null`.
 */
export const evaluationContextSchema = z
  .strictObject({
    principal: z
      .strictObject({
        subject: z.string().describe('Who the call is for (`sub`).'),
        tenant: z.string().describe('The tenant of the caller.'),
        roles: strings.describe('Roles of the caller.'),
        permissions: strings.describe('Permissions of the caller.'),
        scopes: strings.describe('OAuth scopes of the token.'),
        agent: z
          .strictObject({
            id: z.string().describe('Stable id of the agent.'),
            sponsor: z.string().optional().describe('Who is accountable for the agent.'),
            riskTier: z.string().optional().describe('Risk tier of the agent (`low`, `high`).'),
          })
          .optional()
          .describe('Present when the caller is an agent.'),
        acr: z.string().optional().describe('Authentication context class (`acr`).'),
        amr: strings.describe('Authentication methods (`amr`); empty when unknown.'),
        authTime: z
          .number()
          .optional()
          .describe('Seconds since the epoch of the last authentication (`auth_time`).'),
      })
      .describe('The verified caller.'),
    tool: z
      .strictObject({
        name: z.string().describe('Tool name.'),
        operation: z.enum(['read', 'write', 'delete']).describe('What the tool does.'),
        tags: strings.describe('Tags of the tool.'),
        sensitivity: z
          .enum(['public', 'internal', 'confidential', 'restricted'])
          .describe('Sensitivity of the data the tool touches.'),
        annotations: z
          .record(z.string(), z.unknown())
          .describe('MCP tool annotations (`readOnlyHint`, `destructiveHint`, …).'),
      })
      .describe('The tool called.'),
    args: z.unknown().describe('The arguments, already validated by the tool schema.'),
    request: z
      .strictObject({
        time: z.number().describe('Milliseconds since the epoch at which the call arrived.'),
        ip: z.string().optional().describe('Client IP address, as the adapter saw it.'),
        country: z.string().optional().describe('ISO 3166-1 alpha-2 country of the client.'),
        userAgent: z.string().optional().describe('Client user agent.'),
      })
      .describe('Facts about the request.'),
  })
  .describe('The data policy conditions are evaluated against.');

/** The data policy conditions are evaluated against (see {@link evaluationContextSchema}). */
export type EvaluationContext = z.output<typeof evaluationContextSchema>;

/**
 * Builds the evaluation context of a call. Cheap: it references the principal's arrays and
 * the arguments without copying them.
 *
 * @example
 * const context = evaluationContext(input);
 * compileJsonLogic({ in: ['admin', { var: 'principal.roles' }] })(context);
 */
export function evaluationContext(input: PolicyInput): EvaluationContext {
  const { principal, tool, context } = input;
  const auth = principal.authLevel;
  const agent = principal.agent;
  const p: Record<string, unknown> = {
    subject: principal.subject,
    tenant: principal.tenantId,
    roles: principal.roles,
    permissions: principal.permissions,
    scopes: principal.scopes,
    amr: auth.amr ?? [],
  };
  if (agent) {
    const a: Record<string, unknown> = { id: agent.id };
    if (agent.sponsor !== undefined) a['sponsor'] = agent.sponsor;
    if (agent.riskTier !== undefined) a['riskTier'] = agent.riskTier;
    p['agent'] = a;
  }
  if (auth.acr !== undefined) p['acr'] = auth.acr;
  if (auth.authTime !== undefined) p['authTime'] = auth.authTime;
  const request: Record<string, unknown> = { time: input.now };
  if (context.ip !== undefined) request['ip'] = context.ip;
  if (context.country !== undefined) request['country'] = context.country;
  if (context.userAgent !== undefined) request['userAgent'] = context.userAgent;
  return {
    principal: p,
    tool: {
      name: tool.name,
      operation: tool.operation,
      tags: tool.tags,
      sensitivity: tool.sensitivity,
      annotations: tool.annotations,
    },
    args: input.args,
    request,
  } as EvaluationContext;
}
