export { createVerifier, MANDATORY_COMPONENTS } from './create-verifier.js';
export type {
  VerifiableMessage,
  VerifiedIdentity,
  VerifiedSignature,
  Verifier,
  VerifierOptions,
  VerifyResult,
  VerifySuccess,
} from './create-verifier.js';
export type { VerifyFailure, VerifyFailureReason } from './verify-failure.js';
export type { HeaderSource } from './lib/header-accessor.js';

export { verifyMiddleware } from './verify-middleware.js';
export type {
  VerifiedRequest,
  VerifyMiddleware,
  VerifyMiddlewareOptions,
} from './verify-middleware.js';
export { captureRawBody } from './capture-raw-body.js';

export { MemoryReplayStore } from './memory-replay-store.js';
export type { MemoryReplayStoreOptions } from './memory-replay-store.js';
export type { MaybePromise, ReplayStore } from './replay-store.js';

export { verifyReceipt } from './verify-receipt.js';
export type { VerifyReceiptOptions } from './verify-receipt.js';
export { createReceiptVerifier } from './create-receipt-verifier.js';
export type {
  ReceiptAlgorithm,
  ReceiptBinding,
  ReceiptFailureReason,
  ReceiptResult,
  ReceiptVerifier,
  ReceiptVerifierOptions,
} from './create-receipt-verifier.js';
export type { ApprovalReceiptClaims } from './receipt-claims.js';

// Re-exported so that backends need only this package.
export { IDENTITY_HEADERS, SignatureConfigError } from '@agentguard/hmac-signing';
export type {
  VerifyingKeyInput,
  HmacKeyInput,
  Ed25519VerifyingKeyInput,
} from '@agentguard/hmac-signing';
