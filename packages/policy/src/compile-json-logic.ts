import { GuardConfigError } from '@agentguard/core';
import { compileRule } from './lib/compiler.js';
import type { OperationRegistry } from './operation-registry.js';

/** Options of {@link compileJsonLogic}. */
export interface CompileJsonLogicOptions {
  /** Custom operations the rule may use. Default: none (only json-logic's own operators). */
  readonly operations?: OperationRegistry | undefined;
  /** Deepest nesting of arrays and objects accepted. Default 64. */
  readonly maxDepth?: number | undefined;
  /** Most values (operators, arguments, literals) in one rule. Default 10,000. */
  readonly maxNodes?: number | undefined;
  /** Prefix of the `path` in compile errors, for example `policies[2].condition`. Default `$`. */
  readonly path?: string | undefined;
}

/** A compiled rule: applies it to `data` (same result as json-logic-js `apply(rule, data)`). */
export type CompiledJsonLogic = (data: unknown) => unknown;

/** Default bounds of a rule. */
export const DEFAULT_RULE_LIMITS = Object.freeze({ maxDepth: 64, maxNodes: 10_000 });

function positiveInt(value: number | undefined, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new GuardConfigError('must be a positive integer', { path });
  }
  return value;
}

/**
 * Compiles a json-logic rule once into closures (no `eval`, no `new Function`). The result
 * matches json-logic-js 2.0.5 `apply` (same truthiness, loose `==`, coercions), with these
 * safety differences: unknown operators and malformed rules throw a `GuardConfigError` here,
 * not at evaluation; `var` refuses `__proto__`, `constructor` and `prototype` path segments
 * (at compile time when literal, `null` at run time when computed), reads only own
 * properties and never returns a function; `method` and `log` do not exist.
 *
 * @example
 * const isLarge = compileJsonLogic({ '>': [{ var: 'args.amount' }, 1000] });
 * isLarge({ args: { amount: 5000 } }); // true
 */
export function compileJsonLogic(
  rule: unknown,
  options: CompileJsonLogicOptions = {},
): CompiledJsonLogic {
  const maxDepth = positiveInt(options.maxDepth, DEFAULT_RULE_LIMITS.maxDepth, 'maxDepth');
  const maxNodes = positiveInt(options.maxNodes, DEFAULT_RULE_LIMITS.maxNodes, 'maxNodes');
  const evaluate = compileRule(rule, {
    operations: options.operations,
    maxDepth,
    maxNodes,
    path: options.path,
  });
  // Returned as is: a named wrapper would cost a call on every evaluation.
  return evaluate;
}
