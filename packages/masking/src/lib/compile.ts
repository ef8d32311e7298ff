import { GuardConfigError, silentLogger, type Logger } from '@agentguard/core';
import { BUILTIN_DETECTOR_TYPES, CATEGORY_PRESETS } from '../categories.js';
import type { MaskerOptions } from '../create-masker.js';
import type {
  CustomDetector,
  DetokenizeAudit,
  FieldRule,
  KeyProvider,
  KeySet,
  MaskingProfileOptions,
  StrategySpec,
} from '../types.js';
import { NAMED_VALIDATORS } from './checks.js';
import { BUILTIN_KEY_RULES, normalizeKey } from './key-rules.js';
import { Keyring, keySetProblem } from './keyring.js';
import type { ScanFlags } from './match.js';
import { parsePath, type PathSegment } from './paths.js';
import { hasNestedQuantifier } from './regex-safety.js';
import type { CompiledDetector, Scanner } from './scan.js';
import { compileStrategy, REDACT, STRICTNESS, type CompiledStrategy } from './strategy.js';

/** A field rule after validation. */
export interface CompiledRule {
  readonly type: string;
  readonly strategy: CompiledStrategy | undefined;
}

interface KeyTier {
  readonly names: ReadonlyMap<string, CompiledRule>;
  readonly patterns: readonly { readonly re: RegExp; readonly rule: CompiledRule }[];
}

/** Everything one masking call needs, for one combination of profiles. */
export interface CompiledProfile {
  readonly scanner: Scanner;
  readonly enabled: ReadonlySet<string>;
  readonly pathRules: readonly {
    readonly segments: readonly PathSegment[];
    readonly rule: CompiledRule;
  }[];
  keyRule(key: string): CompiledRule | undefined;
  strategyFor(type: string): CompiledStrategy;
  /** The profile's strategy for `type` and what it writes, worked out once per type. */
  typeInfo(type: string): TypeInfo;
  readonly usesKeys: boolean;
}

/** A detector type as one profile masks it (see {@link CompiledProfile.typeInfo}). */
export interface TypeInfo {
  readonly type: string;
  readonly strategy: CompiledStrategy;
  /** `[TYPE]`. */
  readonly bracket: string;
  /** What `redact` writes for the type (its label, else `[TYPE]`). */
  readonly redacted: string;
  /** {@link redacted} as JSON text (`JSON.stringify`), and without its quotes. */
  readonly redactedJson: string;
  readonly redactedInner: string;
  /** Scratch of the count of findings of one call (see Walk#tally; one count at a time). */
  countStamp: number;
  count: number;
}

function typeInfoOf(type: string, strategy: CompiledStrategy): TypeInfo {
  const bracket = `[${type}]`;
  const redacted = strategy.kind === 'redact' ? (strategy.label ?? bracket) : bracket;
  const redactedJson = JSON.stringify(redacted);
  return {
    type,
    strategy,
    bracket,
    redacted,
    redactedJson,
    redactedInner: redactedJson.slice(1, -1),
    countStamp: 0,
    count: 0,
  };
}

/** The validated options of a masker. */
export interface MaskerPlan {
  readonly name: string;
  readonly maxDepth: number;
  readonly maxStringLength: number;
  readonly oversized: 'redact' | 'reject';
  readonly parseJsonStrings: boolean;
  readonly keyring: Keyring | undefined;
  readonly permission: string;
  readonly audit: DetokenizeAudit | undefined;
  readonly logger: Logger;
  profileFor(names: readonly string[]): CompiledProfile;
}

interface ProfileDef {
  readonly name: string;
  readonly types: ReadonlySet<string>;
  readonly strategies: ReadonlyMap<string, CompiledStrategy>;
  readonly defaultStrategy: CompiledStrategy;
  readonly rules: readonly CompiledFieldRule[];
}

interface CompiledFieldRule {
  readonly rule: CompiledRule;
  readonly segments?: readonly PathSegment[];
  readonly names?: readonly string[];
  readonly patterns?: readonly RegExp[];
}

const OPTION_KEYS = new Set([
  'name',
  'categories',
  'include',
  'exclude',
  'strategies',
  'defaultStrategy',
  'fieldRules',
  'builtinKeyRules',
  'detectors',
  'profiles',
  'keys',
  'masterKey',
  'detokenizePermission',
  'audit',
  'maxStringLength',
  'oversized',
  'maxDepth',
  'parseJsonStrings',
  'logger',
]);
const PROFILE_KEYS = new Set([
  'categories',
  'include',
  'exclude',
  'strategies',
  'defaultStrategy',
  'fieldRules',
]);
const TYPE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const ALL_CATEGORIES = Object.keys(CATEGORY_PRESETS);
const CACHE_LIMIT = 4096;

function fail(message: string, path: string): never {
  throw new GuardConfigError(message, { path });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof RegExp)
  );
}

function stringList(value: unknown, path: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    fail('must be an array of non-empty strings', path);
  }
  return value as string[];
}

function positiveInt(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    fail('must be a positive integer', path);
  return value;
}

function toRegExp(value: string | RegExp, flags: string | undefined, path: string): RegExp {
  let source: string;
  let given: string;
  if (value instanceof RegExp) {
    source = value.source;
    given = value.flags;
  } else {
    const literal = /^\/(.+)\/([a-z]*)$/s.exec(value);
    source = literal ? literal[1]! : value;
    given = literal ? literal[2]! : (flags ?? '');
  }
  if (hasNestedQuantifier(source)) fail('nested quantifiers can backtrack catastrophically', path);
  const kept = [...new Set(given.split('').filter((f) => 'imsu'.includes(f)))].join('');
  try {
    return new RegExp(source, `${kept}g`);
  } catch (error) {
    throw new GuardConfigError('invalid regular expression', { path, cause: error });
  }
}

function compileDetector(
  raw: unknown,
  path: string,
): CompiledDetector & { readonly categories: readonly string[] } {
  if (!isRecord(raw)) fail('must be an object', path);
  for (const key of Object.keys(raw)) {
    if (!['type', 'pattern', 'flags', 'validator', 'categories'].includes(key))
      fail('unknown option', `${path}.${key}`);
  }
  const d = raw as unknown as CustomDetector;
  if (typeof d.type !== 'string' || !TYPE_NAME.test(d.type))
    fail('must be an upper-case type name', `${path}.type`);
  if (typeof d.pattern !== 'string' && !(d.pattern instanceof RegExp))
    fail('must be a RegExp or a string', `${path}.pattern`);
  if (d.flags !== undefined && typeof d.flags !== 'string')
    fail('must be a string', `${path}.flags`);
  const re = toRegExp(d.pattern, d.flags, `${path}.pattern`);
  let validator: ((m: string) => boolean) | undefined;
  if (typeof d.validator === 'string') {
    validator = NAMED_VALIDATORS[d.validator];
    if (validator === undefined)
      fail(`must be one of ${Object.keys(NAMED_VALIDATORS).join(', ')}`, `${path}.validator`);
  } else if (typeof d.validator === 'function') {
    validator = d.validator;
  } else if ((d.validator as unknown) !== undefined) {
    fail('must be a function or a validator name', `${path}.validator`);
  }
  const categories = stringList(d.categories, `${path}.categories`) ?? [];
  return { type: d.type, re, validator, categories };
}

function compileRule(raw: unknown, path: string): CompiledFieldRule {
  if (!isRecord(raw)) fail('must be an object', path);
  for (const key of Object.keys(raw)) {
    if (!['type', 'path', 'key', 'strategy'].includes(key))
      fail('unknown option', `${path}.${key}`);
  }
  const r = raw as unknown as FieldRule;
  if (typeof r.type !== 'string' || !TYPE_NAME.test(r.type))
    fail('must be an upper-case type name', `${path}.type`);
  const rule: CompiledRule = {
    type: r.type,
    strategy:
      r.strategy === undefined ? undefined : compileStrategy(r.strategy, `${path}.strategy`),
  };
  if ((r.path === undefined) === (r.key === undefined))
    fail('needs exactly one of path and key', path);
  if (r.path !== undefined) {
    if (typeof r.path !== 'string') fail('must be a string', `${path}.path`);
    return { rule, segments: parsePath(r.path, `${path}.path`) };
  }
  const keys = Array.isArray(r.key) ? (r.key as readonly unknown[]) : [r.key];
  const names: string[] = [];
  const patterns: RegExp[] = [];
  keys.forEach((k, i) => {
    const where = `${path}.key${Array.isArray(r.key) ? `[${i}]` : ''}`;
    if (k instanceof RegExp) patterns.push(toRegExp(k, undefined, where));
    else if (typeof k === 'string' && /^\/.+\/[a-z]*$/s.test(k))
      patterns.push(toRegExp(k, undefined, where));
    else if (typeof k === 'string' && k.length > 0) names.push(normalizeKey(k));
    else fail('must be a non-empty string or a RegExp', where);
  });
  return { rule, names, patterns };
}

function compileStrategies(raw: unknown, path: string): Map<string, CompiledStrategy> | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) fail('must be an object of type → strategy', path);
  const out = new Map<string, CompiledStrategy>();
  for (const [type, spec] of Object.entries(raw)) {
    if (!TYPE_NAME.test(type)) fail('must be an upper-case type name', `${path}.${type}`);
    out.set(type, compileStrategy(spec as StrategySpec, `${path}.${type}`));
  }
  return out;
}

function keyProvider(options: MaskerOptions): KeyProvider | undefined {
  const { keys, masterKey } = options;
  if (keys !== undefined && masterKey !== undefined)
    fail('give keys or masterKey, not both', 'keys');
  if (typeof keys === 'function') return keys;
  if (keys !== undefined) {
    if (!isRecord(keys)) fail('must be an object of tenant id → key set, or a function', 'keys');
    const table = new Map<string, KeySet>();
    for (const [tenant, set] of Object.entries(keys)) {
      const problem = keySetProblem(set);
      if (problem !== undefined) fail(problem, `keys.${tenant}`);
      table.set(tenant, set);
    }
    return (tenantId) => table.get(tenantId) ?? table.get('*');
  }
  if (masterKey !== undefined) {
    const set: KeySet =
      typeof masterKey === 'string' ? { current: 'm1', keys: { m1: masterKey } } : masterKey;
    const problem = keySetProblem(set);
    if (problem !== undefined) fail(problem, 'masterKey');
    return () => set;
  }
  return undefined;
}

/** Validates the options once; the returned plan does no option parsing per call. */
export function compileOptions(options: MaskerOptions): MaskerPlan {
  if (typeof options !== 'object' || Array.isArray(options))
    fail('options must be an object', 'options');
  for (const key of Object.keys(options)) if (!OPTION_KEYS.has(key)) fail('unknown option', key);
  const name = options.name ?? 'masking';
  if (typeof name !== 'string' || name.length === 0) fail('must be a non-empty string', 'name');
  if (!Array.isArray(options.detectors ?? [])) fail('must be an array', 'detectors');
  const detectors = (options.detectors ?? []).map((d, i) => compileDetector(d, `detectors[${i}]`));
  const knownCategories = new Set([...ALL_CATEGORIES, ...detectors.flatMap((d) => d.categories)]);
  const knownTypes = new Set<string>([...BUILTIN_DETECTOR_TYPES, ...detectors.map((d) => d.type)]);
  const globalRules = (options.fieldRules ?? []).map((r, i) => compileRule(r, `fieldRules[${i}]`));
  const builtinKeyRules = options.builtinKeyRules ?? true;
  if (typeof builtinKeyRules !== 'boolean') fail('must be a boolean', 'builtinKeyRules');

  function typesOf(
    categories: readonly string[],
    include: readonly string[],
    exclude: readonly string[],
    path: string,
  ): Set<string> {
    const types = new Set<string>();
    for (const c of categories) {
      if (!knownCategories.has(c)) fail(`unknown category ${c}`, `${path}.categories`);
      for (const t of (CATEGORY_PRESETS as Record<string, readonly string[] | undefined>)[c] ?? [])
        types.add(t);
      for (const d of detectors) if (d.categories.includes(c)) types.add(d.type);
    }
    for (const d of detectors) if (d.categories.length === 0) types.add(d.type);
    for (const t of include) {
      if (!knownTypes.has(t)) fail(`unknown detector type ${t}`, `${path}.include`);
      types.add(t);
    }
    for (const t of exclude) types.delete(t);
    return types;
  }

  const baseCategories = stringList(options.categories, 'categories') ?? ALL_CATEGORIES;
  const baseInclude = stringList(options.include, 'include') ?? [];
  const baseExclude = stringList(options.exclude, 'exclude') ?? [];
  const baseStrategies =
    compileStrategies(options.strategies, 'strategies') ?? new Map<string, CompiledStrategy>();
  const baseDefault = compileStrategy(options.defaultStrategy, 'defaultStrategy');
  const base: ProfileDef = {
    name: 'default',
    types: typesOf(baseCategories, baseInclude, baseExclude, 'options'),
    strategies: baseStrategies,
    defaultStrategy: baseDefault,
    rules: [],
  };

  const named = new Map<string, ProfileDef>();
  if (options.profiles !== undefined) {
    if (!isRecord(options.profiles)) fail('must be an object of name → profile', 'profiles');
    for (const [profileName, raw] of Object.entries(options.profiles)) {
      const path = `profiles.${profileName}`;
      if (!isRecord(raw)) fail('must be an object', path);
      for (const key of Object.keys(raw))
        if (!PROFILE_KEYS.has(key)) fail('unknown option', `${path}.${key}`);
      const p = raw as MaskingProfileOptions;
      named.set(profileName, {
        name: profileName,
        types: typesOf(
          stringList(p.categories, `${path}.categories`) ??
            (Object.hasOwn(CATEGORY_PRESETS, profileName) ? [profileName] : baseCategories),
          stringList(p.include, `${path}.include`) ?? baseInclude,
          stringList(p.exclude, `${path}.exclude`) ?? baseExclude,
          path,
        ),
        strategies: new Map([
          ...baseStrategies,
          ...(compileStrategies(p.strategies, `${path}.strategies`) ?? []),
        ]),
        defaultStrategy:
          p.defaultStrategy === undefined
            ? baseDefault
            : compileStrategy(p.defaultStrategy, `${path}.defaultStrategy`),
        rules: (p.fieldRules ?? []).map((r, i) => compileRule(r, `${path}.fieldRules[${i}]`)),
      });
    }
  }
  for (const preset of ALL_CATEGORIES) {
    if (!named.has(preset)) {
      named.set(preset, {
        ...base,
        name: preset,
        types: typesOf([preset], [], baseExclude, `profiles.${preset}`),
      });
    }
  }
  // Unknown profile names select the strictest profile: every detector, redacted.
  const strictest: ProfileDef = {
    name: '*',
    types: typesOf(ALL_CATEGORIES, [...knownTypes], [], 'options'),
    strategies: new Map(),
    defaultStrategy: REDACT,
    rules: [],
  };

  const maxDepth = positiveInt(options.maxDepth, 64, 'maxDepth');
  const maxStringLength = positiveInt(options.maxStringLength, 1_048_576, 'maxStringLength');
  const oversized = options.oversized ?? 'redact';
  if ((oversized as string) !== 'redact' && (oversized as string) !== 'reject')
    fail('must be redact or reject', 'oversized');
  const parseJsonStrings = options.parseJsonStrings ?? true;
  if (typeof parseJsonStrings !== 'boolean') fail('must be a boolean', 'parseJsonStrings');
  const permission = options.detokenizePermission ?? 'pii:detokenize';
  if (typeof permission !== 'string' || permission.length === 0)
    fail('must be a non-empty string', 'detokenizePermission');
  if (options.audit !== undefined && typeof options.audit !== 'function')
    fail('must be a function', 'audit');
  const provider = keyProvider(options);
  const keyring = provider === undefined ? undefined : new Keyring(provider);
  const logger = options.logger ?? silentLogger;

  function build(defs: readonly ProfileDef[]): CompiledProfile {
    const enabled = new Set<string>();
    const strategies = new Map<string, CompiledStrategy>();
    for (const def of defs) {
      for (const type of def.types) {
        enabled.add(type);
        const s = def.strategies.get(type) ?? def.defaultStrategy;
        const prev = strategies.get(type);
        if (prev === undefined || STRICTNESS[s.kind] > STRICTNESS[prev.kind])
          strategies.set(type, s);
      }
    }
    const fallback = defs.reduce<CompiledStrategy>(
      (acc, d) =>
        STRICTNESS[d.defaultStrategy.kind] > STRICTNESS[acc.kind] ? d.defaultStrategy : acc,
      defs[0]?.defaultStrategy ?? REDACT,
    );
    for (const def of defs)
      for (const [type, s] of def.strategies) if (!strategies.has(type)) strategies.set(type, s);
    const rules = [...defs.flatMap((d) => d.rules), ...globalRules];
    const pathRules = rules.flatMap((r) =>
      r.segments ? [{ segments: r.segments, rule: r.rule }] : [],
    );
    const tiers: KeyTier[] = [];
    const names = new Map<string, CompiledRule>();
    const patterns: { re: RegExp; rule: CompiledRule }[] = [];
    for (const r of rules) {
      for (const n of r.names ?? []) if (!names.has(n)) names.set(n, r.rule);
      for (const re of r.patterns ?? [])
        patterns.push({ re: new RegExp(re.source, re.flags.replace('g', '')), rule: r.rule });
    }
    tiers.push({ names, patterns });
    if (builtinKeyRules) {
      const builtin = new Map<string, CompiledRule>();
      for (const [key, type] of Object.entries(BUILTIN_KEY_RULES)) {
        if (enabled.has(type)) builtin.set(key, { type, strategy: undefined });
      }
      tiers.push({ names: builtin, patterns: [] });
    }
    const cache = new Map<string, CompiledRule | null>();
    const typeInfos = new Map<string, TypeInfo>();
    const flags: ScanFlags = {
      email: enabled.has('EMAIL'),
      phone: enabled.has('PHONE'),
      ssn: enabled.has('US_SSN'),
      card: enabled.has('CREDIT_CARD'),
      ip: enabled.has('IP_ADDRESS'),
      iban: enabled.has('IBAN'),
      vat: enabled.has('EU_VAT'),
      dob: enabled.has('DATE_OF_BIRTH'),
      passport: enabled.has('US_PASSPORT'),
      npi: enabled.has('NPI'),
      mrn: enabled.has('MRN'),
      aws: enabled.has('AWS_ACCESS_KEY'),
      privateKey: enabled.has('PRIVATE_KEY'),
      jwt: enabled.has('JWT'),
      bearer: enabled.has('BEARER_TOKEN'),
      apiKey: enabled.has('API_KEY'),
    };
    const scanner: Scanner = {
      flags,
      anyDigitScan: flags.phone || flags.ssn || flags.card || flags.ip,
      anyCodeScan:
        flags.iban || flags.aws || flags.privateKey || flags.jwt || flags.bearer || flags.apiKey,
      anyLabelScan: flags.dob || flags.npi || flags.mrn || flags.passport || flags.ssn,
      custom: detectors.filter((d) => enabled.has(d.type)),
    };
    const usesKeys =
      [...strategies.values(), fallback].some((s) => s.kind === 'hash' || s.kind === 'tokenize') ||
      rules.some((r) => r.rule.strategy?.kind === 'hash' || r.rule.strategy?.kind === 'tokenize');
    return {
      scanner,
      enabled,
      pathRules,
      usesKeys,
      keyRule(key: string): CompiledRule | undefined {
        const hit = cache.get(key);
        if (hit !== undefined) return hit ?? undefined;
        const normal = normalizeKey(key);
        let found: CompiledRule | undefined;
        for (const tier of tiers) {
          found = tier.names.get(normal);
          if (found === undefined) {
            for (const p of tier.patterns) {
              if (p.re.test(key)) {
                found = p.rule;
                break;
              }
            }
          }
          if (found !== undefined) break;
        }
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(key, found ?? null);
        return found;
      },
      strategyFor(type: string): CompiledStrategy {
        return strategies.get(type) ?? fallback;
      },
      typeInfo(type: string): TypeInfo {
        let info = typeInfos.get(type);
        if (info === undefined) {
          info = typeInfoOf(type, strategies.get(type) ?? fallback);
          if (typeInfos.size < CACHE_LIMIT) typeInfos.set(type, info);
        }
        return info;
      },
    };
  }

  const defaultProfile = build([base]);
  const combos = new Map<string, CompiledProfile>();
  const warned = new Set<string>();
  const all = [defaultProfile];
  for (const def of named.values()) all.push(build([def]));
  if (all.some((p) => p.usesKeys) && keyring === undefined) {
    fail('hash and tokenize need keys or masterKey', 'keys');
  }

  return {
    name,
    maxDepth,
    maxStringLength,
    oversized,
    parseJsonStrings,
    keyring,
    permission,
    audit: options.audit,
    logger,
    profileFor(names: readonly string[]): CompiledProfile {
      if (names.length === 0) return defaultProfile;
      const id = names.length === 1 ? names[0]! : [...new Set(names)].sort().join('\0');
      let profile = combos.get(id);
      if (profile === undefined) {
        const defs = [...new Set(names)].map((n) => {
          const def = named.get(n);
          if (def !== undefined) return def;
          if (!warned.has(n) && warned.size < 64) {
            warned.add(n);
            logger.warn('unknown masking profile: applying the strictest profile', { profile: n });
          }
          return strictest;
        });
        profile = build(defs);
        if (combos.size >= 256) combos.clear();
        combos.set(id, profile);
      }
      return profile;
    },
  };
}
