import { z } from 'zod';

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;
const name = z.string().min(1).max(256);

/** `step_up`: the principal must meet an authentication level, or hold scopes. */
export const stepUpActionSchema = z
  .strictObject({
    type: z.literal('step_up'),
    acrValues: z
      .array(name)
      .min(1)
      .optional()
      .describe('Acceptable `acr` values, most preferred first (RFC 9470 `acr_values`).'),
    maxAge: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Maximum seconds since the last authentication (RFC 9470 `max_age`).'),
    scopes: z
      .array(name)
      .min(1)
      .optional()
      .describe('Scopes the token must carry (`insufficient_scope`).'),
  })
  .refine((a) => a.acrValues !== undefined || a.maxAge !== undefined || a.scopes !== undefined, {
    message: 'step_up needs acrValues, maxAge or scopes',
  })
  .refine((a) => a.scopes === undefined || (a.acrValues === undefined && a.maxAge === undefined), {
    message: 'step_up asks either for authentication (acrValues / maxAge) or for scopes',
  });

/** A policy's action and its parameters. */
export const policyActionSchema = z.union([
  z.enum(['deny', 'allow']),
  z.strictObject({ type: z.literal('deny') }),
  z.strictObject({ type: z.literal('allow') }),
  stepUpActionSchema,
  z.strictObject({
    type: z.literal('require_approval'),
    flowId: name.describe('Id of the approval flow to start.'),
  }),
  z.strictObject({
    type: z.literal('mask'),
    profile: name.describe('Masking profile applied to the result.'),
  }),
]);

/** Which calls a policy applies to. Every field given must match; a list matches any item. */
export const policyTargetSchema = z.strictObject({
  tools: z
    .array(z.string().min(1).max(256))
    .min(1)
    .optional()
    .describe('Tool names or globs (`payments.*`). Default: every tool.'),
  tags: z
    .array(name)
    .min(1)
    .optional()
    .describe('The tool carries at least one of these tags. Default: any tags.'),
  operations: z
    .array(z.enum(['read', 'write', 'delete']))
    .min(1)
    .optional()
    .describe('Operation kinds. Default: every kind.'),
});

/** A conditional policy as written in code, in the config file or in a store. */
export const policySchema = z.strictObject({
  id: z.string().regex(ID, 'ids are letters, digits and _.:@- (at most 128)'),
  version: z
    .union([z.number().int().nonnegative(), z.string().min(1).max(64)])
    .optional()
    .describe('Recorded in each decision. Stores assign it.'),
  description: z.string().max(2000).optional(),
  scope: z
    .string()
    .regex(ID, 'scope is `global` or a tenant id')
    .default('global')
    .describe('`global` (platform policy) or the tenant id that owns the policy.'),
  state: z
    .enum(['enabled', 'disabled', 'monitor'])
    .default('enabled')
    .describe('`monitor`: evaluated and recorded as "would have", never enforced.'),
  target: policyTargetSchema.optional(),
  condition: z
    .unknown()
    .optional()
    .describe('json-logic rule over the evaluation context; truthy means the policy applies.'),
  action: policyActionSchema,
});

/** A policy as written (defaults not applied). */
export type PolicyDefinition = z.input<typeof policySchema>;
/** A validated policy (defaults applied). */
export type Policy = z.output<typeof policySchema>;
/** A validated action. */
export type PolicyActionDefinition = z.output<typeof policyActionSchema>;
/** A validated target. */
export type PolicyTarget = z.output<typeof policyTargetSchema>;
/** The action kinds, in decreasing order of precedence (mask adds obligations only). */
export type PolicyActionType = 'deny' | 'step_up' | 'require_approval' | 'mask' | 'allow';
