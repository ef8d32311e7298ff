export { createMasker } from './create-masker.js';
export type {
  ContentMasker,
  DetokenizedValue,
  DetokenizeOptions,
  MaskerOptions,
  MaskResult,
} from './create-masker.js';
export { parseMaskingConfig } from './parse-masking-config.js';
export { CATEGORY_PRESETS, BUILTIN_DETECTOR_TYPES } from './categories.js';
export { MaskingRejectedError } from './errors.js';
export type {
  BuiltinDetectorType,
  BuiltinValidatorName,
  CategoryName,
  CustomDetector,
  DetectorValidator,
  DetokenizeAudit,
  DetokenizeAuditEvent,
  FieldRule,
  KeyProvider,
  KeySet,
  MaskingProfileOptions,
  PartialMaskContext,
  StrategyName,
  StrategySpec,
} from './types.js';
