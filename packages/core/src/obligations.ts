import type { StepUpChallenge } from './errors.js';

/** An approval that a policy requires before the call may run. */
export interface ApprovalObligation {
  /** Id of the approval flow (steps, approvers, quorum) to start. */
  readonly flowId: string;
  /** The policy that asked for it. */
  readonly policyId?: string | undefined;
}

/** What stages add to a call on its way through: they accumulate, never reset. */
export interface Obligations {
  /** Masking profiles to apply to the result, in the order they were added. */
  readonly maskProfiles: readonly string[];
  /** The step-up requirement, when a policy set one and it was met. */
  readonly stepUp?: StepUpChallenge | undefined;
  /** The approval that a policy required. */
  readonly approval?: ApprovalObligation | undefined;
  /** Free-form annotations added by hooks (recorded in the audit event). */
  readonly annotations: Readonly<Record<string, unknown>>;
}

/** Obligations a stage wants to add. */
export interface ObligationsPatch {
  readonly maskProfiles?: readonly string[] | undefined;
  readonly stepUp?: StepUpChallenge | undefined;
  readonly approval?: ApprovalObligation | undefined;
  readonly annotations?: Readonly<Record<string, unknown>> | undefined;
}

/** @internal Mutable accumulator used by the pipeline. */
export interface MutableObligations {
  maskProfiles: string[];
  stepUp?: StepUpChallenge | undefined;
  approval?: ApprovalObligation | undefined;
  annotations: Record<string, unknown>;
}

/** @internal */
export function emptyObligations(): MutableObligations {
  return { maskProfiles: [], annotations: {} };
}

/** @internal Adds `patch` to `target`: profiles are unioned, the first approval flow wins. */
export function mergeObligations(target: MutableObligations, patch: ObligationsPatch): void {
  if (patch.maskProfiles) {
    for (const profile of patch.maskProfiles) {
      if (!target.maskProfiles.includes(profile)) target.maskProfiles.push(profile);
    }
  }
  if (patch.stepUp !== undefined && target.stepUp === undefined) target.stepUp = patch.stepUp;
  if (patch.approval !== undefined && target.approval === undefined) {
    target.approval = patch.approval;
  }
  if (patch.annotations) Object.assign(target.annotations, patch.annotations);
}
