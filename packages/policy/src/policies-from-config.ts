import { GuardConfigError } from '@agentguard/core';
import { parsePolicy } from './lib/parse-policy.js';
import type { Policy } from './policy-schema.js';

/**
 * Validates the `policies` section of a guard config file (core keeps it as `unknown[]`).
 * Throws a `GuardConfigError` naming the first bad path (`policies[2].action.flowId`).
 * Conditions are compiled by `policyEngine`, which reports their paths the same way.
 *
 * @example
 * const config = await loadGuardConfig('agentguard.yaml');
 * const policy = policyEngine({ policies: policiesFromConfig(config.policies) });
 */
export function policiesFromConfig(section: unknown): Policy[] {
  if (section === undefined) return [];
  if (!Array.isArray(section)) {
    throw new GuardConfigError('must be a list of policies', { path: 'policies' });
  }
  return section.map((item, i) => parsePolicy(item, `policies[${i}]`));
}
