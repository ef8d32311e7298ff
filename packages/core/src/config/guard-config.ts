import { z } from 'zod';

const positiveInt = z.number().int().positive();

/** A rate limit as written in the config file. */
export const rateLimitRuleSchema = z.strictObject({
  id: z.string().min(1).describe('Stable id of the limit; part of every counter key.'),
  limit: positiveInt.describe('Calls allowed per window (token bucket: capacity).'),
  windowMs: positiveInt.describe('Window length in milliseconds (token bucket: full refill time).'),
  by: z
    .array(z.enum(['tenant', 'principal', 'tool']))
    .optional()
    .describe("What the limit is counted per. Default ['tenant', 'principal']."),
  algorithm: z
    .enum(['sliding-window', 'token-bucket'])
    .optional()
    .describe('Default sliding-window.'),
  tools: z
    .array(z.string().min(1))
    .optional()
    .describe('Tool names or globs. Default: every tool.'),
});

/** The whole guard as a file. Sections of other packages are validated by those packages. */
export const guardConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editors.'),
    version: z.literal(1).describe('Config format version.'),
    anonymous: z
      .union([
        z.boolean(),
        z.strictObject({
          tenantId: z.string().min(1).optional(),
          subject: z.string().min(1).optional(),
          roles: z.array(z.string()).optional(),
        }),
      ])
      .optional()
      .describe('Opt into unauthenticated access (every caller gets one anonymous principal).'),
    inputLimits: z
      .strictObject({
        maxDepth: positiveInt.optional(),
        maxStringLength: positiveInt.optional(),
        maxArrayLength: positiveInt.optional(),
        maxObjectKeys: positiveInt.optional(),
        maxTotalSize: positiveInt.optional(),
      })
      .optional()
      .describe('Bounds applied to arguments before schema validation.'),
    rateLimits: z.array(rateLimitRuleSchema).optional(),
    audit: z
      .strictObject({
        stdout: z.boolean().optional().describe('Write events as JSON lines to standard output.'),
        maxQueue: positiveInt.optional(),
        batchSize: positiveInt.optional(),
        onFull: z.enum(['block', 'drop-oldest', 'spill']).optional(),
        spillDir: z.string().min(1).optional(),
        recordArgs: z.boolean().optional(),
        retry: z
          .strictObject({
            attempts: positiveInt.optional(),
            baseDelayMs: z.number().nonnegative().optional(),
            maxDelayMs: z.number().nonnegative().optional(),
          })
          .optional(),
      })
      .optional(),
    auth: z.record(z.string(), z.unknown()).optional().describe('@agentguard/jwt-auth options.'),
    rbac: z.record(z.string(), z.unknown()).optional().describe('@agentguard/rbac options.'),
    policies: z.array(z.unknown()).optional().describe('@agentguard/policy policies.'),
    masking: z.record(z.string(), z.unknown()).optional().describe('@agentguard/masking options.'),
    approvals: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('@agentguard/approvals flows.'),
    signing: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('@agentguard/hmac-signing options.'),
  })
  .describe('AgentGuard configuration');

/** A validated guard config file. */
export type GuardConfig = z.output<typeof guardConfigSchema>;
