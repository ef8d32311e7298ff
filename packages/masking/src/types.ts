import type { MaskContext, Principal } from '@agentguard/core';

/** Every detector type built into the package. Custom detectors add their own type names. */
export type BuiltinDetectorType =
  | 'EMAIL'
  | 'PHONE'
  | 'US_SSN'
  | 'CREDIT_CARD'
  | 'IBAN'
  | 'IP_ADDRESS'
  | 'DATE_OF_BIRTH'
  | 'US_PASSPORT'
  | 'NPI'
  | 'MRN'
  | 'EU_VAT'
  | 'AWS_ACCESS_KEY'
  | 'PRIVATE_KEY'
  | 'JWT'
  | 'BEARER_TOKEN'
  | 'API_KEY'
  | 'SECRET'
  | 'PERSON'
  | 'ADDRESS';

/** The category presets: each one is a set of detector types (see `CATEGORY_PRESETS`). */
export type CategoryName = 'PII' | 'PHI' | 'PCI' | 'GDPR' | 'SECRETS';

/** Names of the validators a custom detector can use from a config file. */
export type BuiltinValidatorName = 'luhn' | 'iban' | 'us_ssn' | 'npi' | 'ipv4' | 'ipv6';

/** What replaces a detected value. */
export type StrategyName = 'redact' | 'partial' | 'hash' | 'tokenize' | 'remove';

/**
 * How a detected value is masked.
 *
 * - `redact`: replaced by `[TYPE]` (or `label`).
 * - `partial`: letters and digits replaced by `maskChar`, except the last `keepLast` (default 4)
 *   and the first `keepFirst` (default 0); at least half of them are always masked. For
 *   e-mail addresses `keepDomain: true` keeps the part after `@`.
 * - `hash`: `[TYPE:<pseudonym>]`, HMAC-SHA256 of the value under the tenant's key: the same value
 *   gives the same pseudonym within a tenant, and nobody without the key can reverse it.
 * - `tokenize`: `agtok_v1.<keyId>.<data>`, AES-256-GCM under the tenant's key, reversible only
 *   through `masker.detokenize` (permission-checked and audited).
 * - `remove`: the field is dropped from its object (or array). Inside a longer text, where
 *   there is no field to drop, the match is redacted instead.
 */
export type StrategySpec =
  | StrategyName
  | { readonly type: 'redact'; readonly label?: string | undefined }
  | {
      readonly type: 'partial';
      readonly keepLast?: number | undefined;
      readonly keepFirst?: number | undefined;
      readonly keepDomain?: boolean | undefined;
      readonly maskChar?: string | undefined;
    }
  | { readonly type: 'hash' }
  | { readonly type: 'tokenize' }
  | { readonly type: 'remove' };

/** A validator for a custom detector: receives the matched text, returns whether it counts. */
export type DetectorValidator = (match: string) => boolean;

/** A detector of your own: a regular expression plus an optional validator. */
export interface CustomDetector {
  /** Type name reported in findings and used in `[TYPE]` redactions, e.g. `EMPLOYEE_ID`. */
  readonly type: string;
  /**
   * The pattern (a `RegExp` or its source). It must run in linear time: patterns with nested
   * quantifiers (such as `(a+)+`) are rejected at construction. Flags other than `i`, `m`,
   * `s`, `u` are ignored; the detector always scans globally.
   */
  readonly pattern: RegExp | string;
  /** Flags when `pattern` is a string. Default none. */
  readonly flags?: string | undefined;
  /** A function, or the name of a built-in validator. Default: every match counts. */
  readonly validator?: DetectorValidator | BuiltinValidatorName | undefined;
  /** Presets the detector joins (so profiles built from them include it). Default none. */
  readonly categories?: readonly string[] | undefined;
}

/**
 * A rule that masks a whole value by where it is: by JSON path or by key name. The value (and
 * everything below it, when it is an object or array) is masked as `type`.
 */
export interface FieldRule {
  /** Type reported in findings, e.g. `PERSON` or `CUSTOMER_NOTE`. */
  readonly type: string;
  /**
   * A JSON path: `$.customer.email`, `$.items[*].card`, `$..ssn` (any depth), `$.a['odd key']`.
   * Exactly one of `path` and `key` is required.
   */
  readonly path?: string | undefined;
  /**
   * Key names this rule applies to at any depth. A string matches the key case-insensitively,
   * ignoring `_`, `-` and spaces (`first_name` = `firstName`); a `RegExp` is tested against the
   * raw key.
   */
  readonly key?: string | RegExp | readonly (string | RegExp)[] | undefined;
  /** Strategy for this rule. Default: the profile's strategy for `type`. */
  readonly strategy?: StrategySpec | undefined;
}

/** A named set of detectors, field rules and strategies. */
export interface MaskingProfileOptions {
  /** Presets whose detectors this profile runs. Default: all five presets. */
  readonly categories?: readonly string[] | undefined;
  /** Detector types added to those of `categories`. Default none. */
  readonly include?: readonly string[] | undefined;
  /** Detector types removed from the profile. Default none. */
  readonly exclude?: readonly string[] | undefined;
  /** Strategy per detector type. Types not listed use `defaultStrategy`. */
  readonly strategies?: Readonly<Record<string, StrategySpec>> | undefined;
  /** Strategy for every type not in `strategies`. Default `redact`. */
  readonly defaultStrategy?: StrategySpec | undefined;
  /** Field rules of this profile, applied before the masker-wide ones. Default none. */
  readonly fieldRules?: readonly FieldRule[] | undefined;
}

/** A tenant's keys: the key id new tokens use, and every key still accepted. */
export interface KeySet {
  /** Id of the key used for new tokens and pseudonyms; 1-32 of `[A-Za-z0-9_-]`. */
  readonly current: string;
  /** Base64 (or base64url) encoded 32-byte keys by id. Keep retired keys to read old tokens. */
  readonly keys: Readonly<Record<string, string>>;
}

/** Returns the key set of a tenant, or `undefined` when the tenant has none. */
export type KeyProvider = (tenantId: string) => KeySet | undefined;

/** The context `mask` accepts: the core {@link MaskContext}, every field optional. */
export interface PartialMaskContext {
  readonly target?: MaskContext['target'] | undefined;
  readonly tool?: MaskContext['tool'] | undefined;
  readonly principal?: Principal | undefined;
  readonly profiles?: readonly string[] | undefined;
  /** Tenant for hash and tokenize when there is no principal. Default `*`. */
  readonly tenantId?: string | undefined;
}

/** One detokenization, as reported to the audit callback. Never holds the value. */
export interface DetokenizeAuditEvent {
  readonly type: 'detokenize';
  /** ISO 8601. */
  readonly time: string;
  readonly outcome: 'allowed' | 'denied';
  /** Why it was denied: `missing_permission`, `malformed_token`, `unknown_key`, `invalid_token`. */
  readonly reason?: string | undefined;
  readonly tenantId: string;
  readonly subject: string;
  /** Key id named in the token, when it could be read. */
  readonly keyId?: string | undefined;
  /** Detector type of the value, when the token decrypted. */
  readonly valueType?: string | undefined;
  /** SHA-256 of the token, base64url, first 16 characters: correlates without revealing. */
  readonly tokenDigest: string;
}

/** Receives every detokenization attempt. A throw or rejection refuses the detokenization. */
export type DetokenizeAudit = (event: DetokenizeAuditEvent) => void | Promise<void>;
