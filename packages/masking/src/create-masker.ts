import {
  ForbiddenError,
  InternalGuardError,
  fail,
  forgetLastMatch,
  ok,
  type Logger,
  type MaskContext,
  type MaskFindings,
  type Masker,
  type Principal,
  type StageResult,
} from '@agentguard/core';
import { compileOptions } from './lib/compile.js';
import { tokenDigest } from './lib/keyring.js';
import { Walk, keepShapes } from './lib/walk.js';
import type {
  CustomDetector,
  DetokenizeAudit,
  DetokenizeAuditEvent,
  FieldRule,
  KeyProvider,
  KeySet,
  MaskingProfileOptions,
  PartialMaskContext,
  StrategySpec,
} from './types.js';

/** Options of {@link createMasker}. Every field is optional. */
export interface MaskerOptions {
  /** Name shown in audit events. Default `masking`. */
  readonly name?: string | undefined;
  /** Presets the default profile runs. Default all: `PII`, `PHI`, `PCI`, `GDPR`, `SECRETS`. */
  readonly categories?: readonly string[] | undefined;
  /** Detector types added to the default profile. Default none. */
  readonly include?: readonly string[] | undefined;
  /** Detector types removed from the default profile (and inherited by named ones). Default none. */
  readonly exclude?: readonly string[] | undefined;
  /** Strategy per detector type (inherited by every profile). Default: `defaultStrategy`. */
  readonly strategies?: Readonly<Record<string, StrategySpec>> | undefined;
  /** Strategy of every type without its own. Default `redact`. */
  readonly defaultStrategy?: StrategySpec | undefined;
  /** Field rules (by JSON path or key) that apply in every profile. Default none. */
  readonly fieldRules?: readonly FieldRule[] | undefined;
  /**
   * Mask values under well-known keys (`name`, `firstName`, `address`, `dob`, `ssn`,
   * `password`, … — see the README) as the type the key names, when that type is enabled.
   * Default `true`.
   */
  readonly builtinKeyRules?: boolean | undefined;
  /** Your own detectors. Default none. */
  readonly detectors?: readonly CustomDetector[] | undefined;
  /**
   * Named profiles that policies select through `context.profiles` (for example `GDPR`).
   * Fields a profile leaves out are inherited from these options; a profile named after a
   * preset defaults to that preset's categories. The five presets are always available as
   * profiles. An unknown name selects every detector with `redact` (and logs a warning).
   */
  readonly profiles?: Readonly<Record<string, MaskingProfileOptions>> | undefined;
  /**
   * Keys for `hash` and `tokenize`, by tenant id (`*` for every other tenant), or a function
   * of the tenant id. Each key is expanded with HKDF-SHA256 bound to the tenant id. Required
   * when a profile uses `hash` or `tokenize`. Default none.
   */
  readonly keys?: Readonly<Record<string, KeySet>> | KeyProvider | undefined;
  /**
   * One master key (base64, 32 bytes) or key set for every tenant, instead of `keys`: each
   * tenant's keys are derived from it with HKDF-SHA256 and the tenant id. Default none.
   */
  readonly masterKey?: string | KeySet | undefined;
  /** Permission a principal needs to detokenize. Default `pii:detokenize`. */
  readonly detokenizePermission?: string | undefined;
  /** Receives every detokenization attempt. Default none (pass one per call instead). */
  readonly audit?: DetokenizeAudit | undefined;
  /** Strings longer than this (UTF-16 units) are not scanned. Default 1,048,576. */
  readonly maxStringLength?: number | undefined;
  /**
   * What happens to a string above `maxStringLength`: `redact` replaces it with
   * `[OVERSIZED]`; `reject` throws a {@link MaskingRejectedError} (the guard fails closed).
   * Default `redact`. Never passed through unmasked.
   */
  readonly oversized?: 'redact' | 'reject' | undefined;
  /** Objects nested deeper than this are replaced with `[MAX_DEPTH]`. Default 64. */
  readonly maxDepth?: number | undefined;
  /** Parse strings that hold a JSON object or array, and mask inside them. Default `true`. */
  readonly parseJsonStrings?: boolean | undefined;
  /** Receives warnings (unknown profile, tenant without key). Default silent. */
  readonly logger?: Logger | undefined;
}

/** What {@link ContentMasker.mask} returns. */
export interface MaskResult<T = unknown> {
  /** The masked value; parts with nothing to mask are the original objects. */
  readonly value: T;
  readonly findings: MaskFindings;
}

/** Options of {@link ContentMasker.detokenize}. */
export interface DetokenizeOptions {
  /** Who asks. Needs the masker's `detokenizePermission`; its tenant must own the token. */
  readonly principal: Principal;
  /** Also receives this attempt (besides the masker's `audit`). */
  readonly audit?: DetokenizeAudit | undefined;
}

/** A detokenized value. */
export interface DetokenizedValue {
  readonly value: string;
  /** Detector type of the value (for example `EMAIL`). */
  readonly type: string;
  /** Key the token was made with. */
  readonly keyId: string;
}

/** A core {@link Masker} that can also be used on its own. */
export interface ContentMasker extends Masker {
  /**
   * Masks `value`. `context.profiles` selects profiles (empty: the default profile);
   * `context.principal.tenantId` (or `context.tenantId`) selects the keys for hash and
   * tokenize. Synchronous; throws only {@link MaskingRejectedError} (`oversized: 'reject'`).
   */
  mask<T = unknown>(value: T, context?: PartialMaskContext | MaskContext): MaskResult<T>;
  /**
   * Reverses a token made by `tokenize`, for a principal holding the detokenize permission
   * and belonging to the token's tenant. Every attempt is reported to the audit callbacks; if
   * one of them fails, the value is not released. Denials are `ForbiddenError`s with reason
   * `missing_permission`, `malformed_token`, `unknown_key` or `invalid_token`.
   */
  detokenize(token: string, options: DetokenizeOptions): Promise<StageResult<DetokenizedValue>>;
}

/**
 * Creates a masker: detectors with validators, category presets, field rules, profiles and
 * strategies, validated once. The result plugs into `createGuard({ masker })` and also works
 * alone.
 *
 * @example
 * import { createMasker } from '@agentguard/masking';
 *
 * const masker = createMasker({
 *   strategies: { CREDIT_CARD: { type: 'partial', keepLast: 4 }, EMAIL: 'hash' },
 *   masterKey: process.env.MASKING_KEY, // base64, 32 bytes
 *   profiles: { GDPR: { strategies: { EMAIL: 'tokenize' } } },
 * });
 * const { value, findings } = masker.mask({ email: 'ada@example.com', note: 'card 4111 1111 1111 1111' });
 * // value.note === 'card **** **** **** 1111'; findings.byCategory → { EMAIL: 1, CREDIT_CARD: 1 }
 */
export function createMasker(options: MaskerOptions = {}): ContentMasker {
  const plan = compileOptions(options);
  keepShapes(plan);

  function mask<T = unknown>(value: T, context?: PartialMaskContext | MaskContext): MaskResult<T> {
    const profile = plan.profileFor(context?.profiles ?? []);
    const tenantId =
      context?.principal?.tenantId ?? (context as PartialMaskContext | undefined)?.tenantId ?? '*';
    const walk = new Walk(plan, profile, tenantId);
    try {
      const masked = walk.run(value) as T;
      const { total, byCategory, paths } = walk.tally;
      return { value: masked, findings: { total, byCategory, paths } };
    } finally {
      // The detectors' regular expressions leave the text they matched in (the whole response,
      // data included) in V8's legacy RegExp statics until some other match.
      forgetLastMatch();
    }
  }

  async function detokenize(
    token: string,
    options: DetokenizeOptions,
  ): Promise<StageResult<DetokenizedValue>> {
    const principal = options.principal;
    const base = {
      type: 'detokenize' as const,
      time: new Date().toISOString(),
      tenantId: principal.tenantId,
      subject: principal.subject,
      tokenDigest: tokenDigest(typeof token === 'string' ? token : ''),
    };
    const report = async (event: DetokenizeAuditEvent): Promise<void> => {
      if (plan.audit) await plan.audit(event);
      if (options.audit) await options.audit(event);
    };
    const deny = async (reason: string, keyId?: string): Promise<StageResult<DetokenizedValue>> => {
      try {
        await report({
          ...base,
          outcome: 'denied',
          reason,
          ...(keyId === undefined ? {} : { keyId }),
        });
      } catch {
        // The denial stands whatever the audit sink does.
      }
      return fail(new ForbiddenError('not allowed to detokenize', { reason }));
    };
    if (!principal.permissions.includes(plan.permission)) return deny('missing_permission');
    if (typeof token !== 'string' || plan.keyring === undefined) return deny('malformed_token');
    const opened = plan.keyring.open(token, principal.tenantId);
    if (!opened.ok) return deny(opened.reason, opened.keyId);
    try {
      await report({ ...base, outcome: 'allowed', keyId: opened.keyId, valueType: opened.type });
    } catch (error) {
      return fail(new InternalGuardError({ reason: 'audit_failed', cause: error }));
    }
    return ok({ value: opened.value, type: opened.type, keyId: opened.keyId });
  }

  return Object.freeze({
    kind: 'masker' as const,
    name: plan.name,
    mask,
    detokenize,
  });
}
