import { z } from 'zod';

const strings = z.array(z.string());

/** One example call and the outcome the policies must produce. */
export const policyTestCaseSchema = z.strictObject({
  name: z.string().min(1),
  principal: z
    .strictObject({
      subject: z.string().min(1).default('test-user'),
      tenant: z.string().min(1).default('default'),
      roles: strings.default([]),
      permissions: strings.default([]),
      scopes: strings.default([]),
      agent: z
        .strictObject({
          id: z.string().min(1),
          sponsor: z.string().optional(),
          riskTier: z.string().optional(),
        })
        .optional(),
      acr: z.string().optional(),
      amr: strings.optional(),
      authTime: z.number().optional(),
    })
    .default({ subject: 'test-user', tenant: 'default', roles: [], permissions: [], scopes: [] }),
  tool: z.strictObject({
    name: z.string().min(1),
    operation: z.enum(['read', 'write', 'delete']).default('read'),
    tags: strings.default([]),
    sensitivity: z.enum(['public', 'internal', 'confidential', 'restricted']).default('internal'),
    annotations: z.record(z.string(), z.unknown()).default({}),
  }),
  args: z.unknown().optional(),
  request: z
    .strictObject({
      ip: z.string().optional(),
      country: z.string().optional(),
      userAgent: z.string().optional(),
      time: z.union([z.number(), z.iso.datetime({ offset: true })]).optional(),
    })
    .default({}),
  expect: z.enum(['allow', 'deny', 'step_up', 'require_approval']),
  maskProfiles: strings.optional(),
});

/** A policy tests file. */
export const policyTestsFileSchema = z.strictObject({
  config: z.string().min(1).optional(),
  tests: z.array(policyTestCaseSchema).min(1),
});

export type PolicyTestCase = z.output<typeof policyTestCaseSchema>;
export type PolicyTestsFile = z.output<typeof policyTestsFileSchema>;
