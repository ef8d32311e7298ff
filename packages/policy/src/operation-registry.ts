import { GuardConfigError } from '@agentguard/core';

/** A custom json-logic operation. */
export interface JsonLogicOperation {
  /**
   * Computes the result from the evaluated arguments. Must be pure and must not trust its
   * arguments: they come from the call (tool arguments, request facts).
   */
  readonly evaluate: (args: readonly unknown[]) => unknown;
  /** Fewest arguments the rule may give. Checked at compile time. Default 0. */
  readonly minArgs?: number | undefined;
  /** Most arguments the rule may give. Checked at compile time. Default: unbounded. */
  readonly maxArgs?: number | undefined;
  /**
   * Compile-time check of the raw (unevaluated) arguments as written in the rule; returns an
   * error message to reject the rule, or `undefined`. Default: no check.
   */
  readonly check?: ((rawArgs: readonly unknown[]) => string | undefined) | undefined;
}

/** The names json-logic itself defines; custom operations cannot shadow them. */
export const BUILTIN_OPERATORS: ReadonlySet<string> = new Set([
  'var',
  'missing',
  'missing_some',
  'if',
  '?:',
  '==',
  '===',
  '!=',
  '!==',
  '!',
  '!!',
  'or',
  'and',
  '>',
  '>=',
  '<',
  '<=',
  'max',
  'min',
  '+',
  '-',
  '*',
  '/',
  '%',
  'map',
  'filter',
  'reduce',
  'all',
  'none',
  'some',
  'merge',
  'in',
  'cat',
  'substr',
]);

/** Operations json-logic-js has that are refused: `method` calls methods, `log` prints. */
const REFUSED = new Set(['method', 'log']);
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * The one place custom json-logic operations are registered. Pass it to
 * {@link compileJsonLogic} or `policyEngine({ operations })`; rules that use an operation the
 * registry does not hold are rejected when they are compiled.
 *
 * @example
 * const operations = new OperationRegistry().register('is_even', {
 *   minArgs: 1,
 *   maxArgs: 1,
 *   evaluate: ([n]) => typeof n === 'number' && n % 2 === 0,
 * });
 * const rule = compileJsonLogic({ is_even: { var: 'n' } }, { operations });
 */
export class OperationRegistry {
  readonly #operations = new Map<string, JsonLogicOperation>();

  /**
   * Adds an operation. Throws a `GuardConfigError` for an invalid or reserved name, a
   * duplicate, or a definition without `evaluate`.
   */
  register(name: string, operation: JsonLogicOperation): this {
    const path = `operations.${name}`;
    if (!NAME.test(name)) {
      throw new GuardConfigError('operation names are letters, digits and _', { path });
    }
    if (BUILTIN_OPERATORS.has(name) || REFUSED.has(name)) {
      throw new GuardConfigError('reserved operation name', { path });
    }
    if (this.#operations.has(name)) {
      throw new GuardConfigError('operation already registered', { path });
    }
    if (typeof (operation as Partial<JsonLogicOperation>).evaluate !== 'function') {
      throw new GuardConfigError('operation needs an evaluate function', { path });
    }
    const { minArgs = 0, maxArgs = Number.POSITIVE_INFINITY } = operation;
    if (!(minArgs >= 0 && maxArgs >= minArgs)) {
      throw new GuardConfigError('minArgs and maxArgs out of order', { path });
    }
    this.#operations.set(name, Object.freeze({ ...operation }));
    return this;
  }

  /** The operation registered under `name`, if any. */
  get(name: string): JsonLogicOperation | undefined {
    return this.#operations.get(name);
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.#operations.has(name);
  }

  /** The registered names. */
  names(): string[] {
    return [...this.#operations.keys()];
  }

  /** A copy holding the same operations, to extend without changing this one. */
  clone(): OperationRegistry {
    const copy = new OperationRegistry();
    for (const [name, op] of this.#operations) copy.#operations.set(name, op);
    return copy;
  }
}
