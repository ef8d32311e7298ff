export { jwtAuth } from './jwt-auth.js';
export type {
  JwtAuthOptions,
  JwtIssuerEntry,
  JwtIssuerOptions,
  RemoteJwksOptions,
  VerifiedTokenCacheOptions,
} from './jwt-auth.js';

export { extractBearerToken } from './extract-bearer-token.js';
export type {
  BearerExtractionFailure,
  BearerTokenExtraction,
  ExtractBearerTokenOptions,
} from './extract-bearer-token.js';

export { JWT_AUTH_REASONS } from './reasons.js';
export type { JwtAuthReason } from './reasons.js';

export { JWT_ALGORITHMS } from './algorithms.js';
export type { JwtAlgorithm } from './algorithms.js';

export { claimPresets } from './claim-presets.js';
export type { ClaimPresetName } from './claim-presets.js';
export type { ClaimMapping, ClaimPath } from './claim-mapping.js';

export type { RevocationStore } from './revocation-store.js';
export { MemoryRevocationStore } from './memory-revocation-store.js';
export type { MemoryRevocationStoreOptions } from './memory-revocation-store.js';
