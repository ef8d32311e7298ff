export { createSigner } from './create-signer.js';
export type { RequestParts, Signer, SignerOptions, TargetCoverage } from './create-signer.js';
export { signedFetch } from './signed-fetch.js';
export type { FetchFunction, RequestSigner } from './lib/fetch-signed.js';
export type { CallSigner, SignerProvider } from './call-signer.js';

export {
  IDENTITY_HEADERS,
  IDENTITY_HEADER_NAMES,
  REQUIRED_IDENTITY_HEADERS,
  encodeIdentityHeaders,
  decodeIdentityValue,
  decodeRoles,
} from './identity-headers.js';
export type { SignerIdentity } from './identity-headers.js';

export { SignatureConfigError } from './signature-config-error.js';

export { importSigningKey, importVerifyingKey } from './signature-keys.js';
export type {
  Ed25519SigningKeyInput,
  Ed25519VerifyingKeyInput,
  HmacKeyInput,
  SignatureAlgorithm,
  SigningKey,
  SigningKeyInput,
  VerifyingKey,
  VerifyingKeyInput,
} from './signature-keys.js';

// RFC 9421 / RFC 9530 / RFC 8941 building blocks (what @agentguard/verify is built on).
export { createContentDigest, checkContentDigest } from './content-digest.js';
export type { ContentDigestFailure } from './content-digest.js';
export { createSignatureBase, serializeComponent, component } from './signature-base.js';
export type {
  CoveredComponent,
  SignableMessage,
  SignatureBaseFailure,
  SignatureBaseResult,
} from './signature-base.js';
export { parseDictionary, parseItem } from './structured-field/parse-structured-field.js';
export type { StructuredFieldLimits } from './structured-field/parse-structured-field.js';
export {
  serializeBareItem,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
  serializeMember,
  serializeParameters,
  serializeString,
} from './structured-field/serialize-structured-field.js';
export { StructuredFieldError } from './structured-field/structured-field-error.js';
export type { StructuredFieldErrorReason } from './structured-field/structured-field-error.js';
export {
  SfDate,
  SfDecimal,
  SfDisplayString,
  SfToken,
  isInnerList,
} from './structured-field/types.js';
export type {
  SfBareItem,
  SfDictionary,
  SfInnerList,
  SfItem,
  SfMember,
  SfParameters,
} from './structured-field/types.js';
