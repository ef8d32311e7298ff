export { compileJsonLogic, DEFAULT_RULE_LIMITS } from './compile-json-logic.js';
export type { CompileJsonLogicOptions, CompiledJsonLogic } from './compile-json-logic.js';
export { OperationRegistry } from './operation-registry.js';
export type { JsonLogicOperation } from './operation-registry.js';
export { policyOperations } from './policy-operations.js';

export { policyEngine } from './policy-engine.js';
export type { PolicyEngineOptions, PolicyEvaluator } from './policy-engine.js';
export type { DefaultDecision } from './policy-engine.js';
export { decisionOf } from './policy-explanation.js';
export type { PolicyDecision, PolicyExplanation, PolicyTrace } from './policy-explanation.js';

export {
  policySchema,
  policyActionSchema,
  policyTargetSchema,
  stepUpActionSchema,
} from './policy-schema.js';
export type {
  Policy,
  PolicyDefinition,
  PolicyActionDefinition,
  PolicyActionType,
  PolicyTarget,
} from './policy-schema.js';
export { policiesFromConfig } from './policies-from-config.js';

export { evaluationContext, evaluationContextSchema } from './evaluation-context.js';
export type { EvaluationContext } from './evaluation-context.js';

export type {
  PolicyStore,
  PolicyStorePutOptions,
  PolicyStoreRemoveOptions,
  StoredPolicy,
} from './policy-store.js';
export { MemoryPolicyStore } from './memory-policy-store.js';
export type { MemoryPolicyStoreOptions } from './memory-policy-store.js';
export { tenantPolicyAdmin } from './tenant-policy-admin.js';
export type { TenantPolicyAdmin, TenantPolicyAdminOptions } from './tenant-policy-admin.js';

export { formatStepUpChallenge } from './format-step-up-challenge.js';
export type { FormatStepUpChallengeOptions } from './format-step-up-challenge.js';
