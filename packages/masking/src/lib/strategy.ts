import { GuardConfigError } from '@agentguard/core';
import type { StrategySpec } from '../types.js';

/** A strategy after validation. */
export type CompiledStrategy =
  | { readonly kind: 'redact'; readonly label: string | undefined }
  | {
      readonly kind: 'partial';
      readonly keepLast: number;
      readonly keepFirst: number;
      readonly keepDomain: boolean;
      readonly maskChar: string;
    }
  | { readonly kind: 'hash' }
  | { readonly kind: 'tokenize' }
  | { readonly kind: 'remove' };

/** When profiles disagree, the strictest strategy wins. */
export const STRICTNESS: Readonly<Record<CompiledStrategy['kind'], number>> = {
  remove: 5,
  redact: 4,
  hash: 3,
  tokenize: 2,
  partial: 1,
};

export const REDACT: CompiledStrategy = Object.freeze({ kind: 'redact', label: undefined });

function count(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 64) {
    throw new GuardConfigError('must be an integer from 0 to 64', { path });
  }
  return value;
}

/** Validates a {@link StrategySpec}. */
export function compileStrategy(spec: StrategySpec | undefined, path: string): CompiledStrategy {
  if (spec === undefined) return REDACT;
  const kind: unknown = typeof spec === 'string' ? spec : (spec as { type?: unknown }).type;
  const extra = typeof spec === 'object' ? (spec as Record<string, unknown>) : {};
  const allowed: Record<string, readonly string[]> = {
    redact: ['type', 'label'],
    partial: ['type', 'keepLast', 'keepFirst', 'keepDomain', 'maskChar'],
    hash: ['type'],
    tokenize: ['type'],
    remove: ['type'],
  };
  if (typeof kind !== 'string' || !Object.hasOwn(allowed, kind)) {
    throw new GuardConfigError('must be redact, partial, hash, tokenize or remove', { path });
  }
  for (const key of Object.keys(extra)) {
    if (!allowed[kind]!.includes(key))
      throw new GuardConfigError('unknown option', { path: `${path}.${key}` });
  }
  switch (kind) {
    case 'redact': {
      const label = extra['label'];
      if (label !== undefined && (typeof label !== 'string' || !/^[^\n]{1,64}$/.test(label))) {
        throw new GuardConfigError('must be 1-64 characters', { path: `${path}.label` });
      }
      return { kind: 'redact', label };
    }
    case 'partial': {
      const maskChar = extra['maskChar'] ?? '*';
      if (typeof maskChar !== 'string' || Array.from(maskChar).length !== 1) {
        throw new GuardConfigError('must be one character', { path: `${path}.maskChar` });
      }
      const keepDomain = extra['keepDomain'] ?? false;
      if (typeof keepDomain !== 'boolean') {
        throw new GuardConfigError('must be a boolean', { path: `${path}.keepDomain` });
      }
      return {
        kind: 'partial',
        keepLast: count(extra['keepLast'], 4, `${path}.keepLast`),
        keepFirst: count(extra['keepFirst'], 0, `${path}.keepFirst`),
        keepDomain,
        maskChar,
      };
    }
    default:
      return { kind } as CompiledStrategy;
  }
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 128;
}

/**
 * Masks letters and digits of `value` except the first `keepFirst` and last `keepLast`; at
 * least half of them are always masked, so a short value is never shown whole.
 */
export function partialMask(
  value: string,
  strategy: Extract<CompiledStrategy, { kind: 'partial' }>,
): string {
  if (strategy.keepDomain) {
    const at = value.lastIndexOf('@');
    if (at > 0) {
      return (
        partialMask(value.slice(0, at), {
          ...strategy,
          keepDomain: false,
          keepLast: 0,
          keepFirst: 1,
        }) + value.slice(at)
      );
    }
  }
  let total = 0;
  for (let i = 0; i < value.length; i++) if (isAlnum(value.charCodeAt(i))) total++;
  const budget = Math.floor(total / 2);
  const last = Math.min(strategy.keepLast, budget);
  const first = Math.min(strategy.keepFirst, budget - last);
  let out = '';
  let index = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!isAlnum(c)) {
      out += value.charAt(i);
      continue;
    }
    out += index < first || index >= total - last ? value.charAt(i) : strategy.maskChar;
    index++;
  }
  return out;
}
