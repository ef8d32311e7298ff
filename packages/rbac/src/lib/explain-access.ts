import type { RbacDenyReason, RbacExplanation, RuleCheck } from '../rbac-explanation.js';
import { mismatch, type CompiledRule, type ToolFacts } from './compile-rules.js';

interface SetOutcome {
  readonly targeted: boolean;
  readonly granted: readonly string[];
}

/**
 * Evaluates every rule against the tool and the principal, the slow and talkative way, for
 * `explain`. Uses the same matching as the hot path, so the two always agree.
 */
export function explainAccess(
  globalRules: readonly CompiledRule[],
  tenantRules: readonly CompiledRule[] | undefined,
  values: readonly string[],
  tool: ToolFacts,
  missing: RbacDenyReason,
): RbacExplanation {
  const checked: RuleCheck[] = [];
  const evaluate = (rules: readonly CompiledRule[]): SetOutcome => {
    let targeted = false;
    const granted: string[] = [];
    for (const rule of rules) {
      const miss = mismatch(rule, tool);
      if (miss !== undefined) {
        checked.push({
          id: rule.id,
          scope: rule.scope,
          targets: false,
          mismatch: miss,
          granted: false,
        });
        continue;
      }
      targeted = true;
      const by = values.find((value) => rule.satisfiedBy.has(value));
      checked.push(
        by === undefined
          ? { id: rule.id, scope: rule.scope, targets: true, granted: false }
          : { id: rule.id, scope: rule.scope, targets: true, granted: true, grantedBy: by },
      );
      if (by !== undefined) granted.push(rule.id);
    }
    return { targeted, granted };
  };
  const global = evaluate(globalRules);
  const tenant = tenantRules === undefined ? undefined : evaluate(tenantRules);
  const tenantRulesApplied = tenant !== undefined;
  const first = global.granted[0];
  if (first === undefined) {
    return {
      allowed: false,
      reason: global.targeted ? missing : 'no_matching_rule',
      matchedRules: [],
      tenantRulesApplied,
      checked,
    };
  }
  if (tenant !== undefined && tenant.granted.length === 0) {
    return {
      allowed: false,
      reason: 'tenant_rule_denied',
      rule: first,
      matchedRules: [],
      tenantRulesApplied,
      checked,
    };
  }
  return {
    allowed: true,
    reason: 'allowed',
    rule: first,
    matchedRules: [...global.granted, ...(tenant?.granted ?? [])],
    tenantRulesApplied,
    checked,
  };
}
