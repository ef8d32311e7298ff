import type { BuiltinDetectorType, CategoryName } from './types.js';

/**
 * The detector types of each category preset. A profile built from a preset runs exactly these
 * detectors (plus custom detectors that join the preset).
 *
 * @example
 * CATEGORY_PRESETS.PCI; // ['CREDIT_CARD']
 */
export const CATEGORY_PRESETS: Readonly<Record<CategoryName, readonly BuiltinDetectorType[]>> =
  Object.freeze({
    PII: Object.freeze([
      'EMAIL',
      'PHONE',
      'US_SSN',
      'IP_ADDRESS',
      'DATE_OF_BIRTH',
      'US_PASSPORT',
      'PERSON',
      'ADDRESS',
    ] as const),
    PHI: Object.freeze([
      'PERSON',
      'ADDRESS',
      'EMAIL',
      'PHONE',
      'US_SSN',
      'IP_ADDRESS',
      'DATE_OF_BIRTH',
      'NPI',
      'MRN',
    ] as const),
    PCI: Object.freeze(['CREDIT_CARD'] as const),
    GDPR: Object.freeze([
      'PERSON',
      'ADDRESS',
      'EMAIL',
      'PHONE',
      'IP_ADDRESS',
      'DATE_OF_BIRTH',
      'IBAN',
      'EU_VAT',
      'CREDIT_CARD',
      'US_PASSPORT',
    ] as const),
    SECRETS: Object.freeze([
      'AWS_ACCESS_KEY',
      'PRIVATE_KEY',
      'JWT',
      'BEARER_TOKEN',
      'API_KEY',
      'SECRET',
    ] as const),
  });

/** Every built-in detector type. */
export const BUILTIN_DETECTOR_TYPES: readonly BuiltinDetectorType[] = Object.freeze([
  'EMAIL',
  'PHONE',
  'US_SSN',
  'CREDIT_CARD',
  'IBAN',
  'IP_ADDRESS',
  'DATE_OF_BIRTH',
  'US_PASSPORT',
  'NPI',
  'MRN',
  'EU_VAT',
  'AWS_ACCESS_KEY',
  'PRIVATE_KEY',
  'JWT',
  'BEARER_TOKEN',
  'API_KEY',
  'SECRET',
  'PERSON',
  'ADDRESS',
] as const);
