import { GuardConfigError } from '@agentguard/core';
import { BUILTIN_OPERATORS, type OperationRegistry } from '../operation-registry.js';
import {
  cat,
  compileVarPath,
  FORBIDDEN_SEGMENTS,
  inOp,
  merge,
  missing,
  missingSome,
  plus,
  substr,
  times,
  truthy,
  varLookup,
} from './semantics.js';

/** A compiled rule (or part of one). */
export type Evaluate = (data: unknown) => unknown;

/** A compiled rule in a boolean context: `truthy(evaluate(data))`, without the value. */
export type Test = (data: unknown) => boolean;

/**
 * How a rule reads its data at the top level (outside the scoped logic of `map`, `filter`,
 * `reduce`, `all`, `none`, `some`, which always reads the current item). The engine passes its
 * call input and reads facts from it directly instead of building the evaluation context.
 */
export interface RootAccess {
  /** A reader for a literal `var` path; returns `undefined` for "not found". */
  readonly path: (segments: readonly string[]) => Evaluate;
  /** The data itself, for `var` with a computed or empty path, `missing`, `missing_some`. */
  readonly data: (root: unknown) => unknown;
  /**
   * Optional fused tests for the commonest leaves, saving the reader's call: `path == k`
   * (`{"==": [{"var": path}, k]}`) and `k in path`. Each must equal the general form exactly
   * (a path not found reads as `null`). Undefined when the path has none.
   */
  readonly equals?: ((path: string, k: unknown) => Test | undefined) | undefined;
  readonly contains?: ((path: string, k: unknown) => Test | undefined) | undefined;
}

/** One logic node of a traced rule: its operator and where its arguments sit. */
export interface TraceNode {
  readonly op: string;
  readonly children: readonly string[];
}

/** Records, per `and` / `or` / `if` / `!` node, which argument decided its value. */
export interface Tracer {
  sink: Map<string, number> | undefined;
  readonly tree: Map<string, TraceNode>;
}

/** What the compiler needs. */
export interface CompilerSettings {
  readonly operations?: OperationRegistry | undefined;
  readonly maxDepth: number;
  readonly maxNodes: number;
  /** Prefix of error paths (for example `policies[2].condition`). */
  readonly path?: string | undefined;
  /** Compile a traced variant (slower; for `explain`). */
  readonly tracer?: Tracer | undefined;
  /** How the top level reads its data. Default: the data is the evaluation data itself. */
  readonly root?: RootAccess | undefined;
  /**
   * Values of top-level literal `var` paths known when compiling (the engine's tool facts, fixed
   * per tool): such reads become constants and the operators over them fold. Default: none.
   */
  readonly facts?: ReadonlyMap<string, unknown> | undefined;
}

interface State extends CompilerSettings {
  nodes: number;
  /** False while compiling the per-item logic of a scoped operation. */
  atRoot: boolean;
}

interface Node {
  readonly ev: Evaluate;
  readonly constant: boolean;
  readonly value?: unknown;
  /** `truthy(ev(data))`, when cheaper than that (boolean operators, `and`, `or`, `if`). */
  readonly test?: Test | undefined;
  /**
   * For `var` with a literal path: the raw reader (`undefined` when not found) and the value
   * then used, so comparisons can read without the extra call.
   */
  readonly read?: Evaluate | undefined;
  readonly notFound?: unknown;
  /** For a top-level `var` without default read through {@link RootAccess}: its path. */
  readonly rootPath?: string | undefined;
  /** For `and`: its operands' tests, nested `and`s flattened (all must hold, in order). */
  readonly conjuncts?: readonly Conjunct[] | undefined;
  /** The rule this node was compiled from (operands of `and`, for {@link Conjunct}). */
  readonly source?: unknown;
}

/** One operand of a top-level `and`: its test and the rule it was compiled from. */
export interface Conjunct {
  readonly test: Test;
  readonly rule: unknown;
}

type Fixed = (a: unknown, b: unknown, c: unknown) => unknown;

// json-logic `==` and `!=` are JavaScript's loose equality.
const FIXED: ReadonlyMap<string, readonly [number, Fixed]> = new Map<
  string,
  readonly [number, Fixed]
>(
  Object.entries({
    '==': [2, (a, b) => a == b],
    '===': [2, (a, b) => a === b],
    '!=': [2, (a, b) => a != b],
    '!==': [2, (a, b) => a !== b],
    '>': [2, (a, b) => (a as number) > (b as number)],
    '>=': [2, (a, b) => (a as number) >= (b as number)],
    '<': [
      3,
      (a, b, c) =>
        c === undefined
          ? (a as number) < (b as number)
          : (a as number) < (b as number) && (b as number) < (c as number),
    ],
    '<=': [
      3,
      (a, b, c) =>
        c === undefined
          ? (a as number) <= (b as number)
          : (a as number) <= (b as number) && (b as number) <= (c as number),
    ],
    '!!': [1, (a) => truthy(a)],
    '!': [1, (a) => !truthy(a)],
    '%': [2, (a, b) => (a as number) % (b as number)],
    '-': [2, (a, b) => (b === undefined ? -(a as number) : (a as number) - (b as number))],
    '/': [2, (a, b) => (a as number) / (b as number)],
    in: [2, inOp],
    substr: [3, substr],
  } satisfies Record<string, readonly [number, Fixed]>),
);

// Maps, not object literals: an operator named `__proto__` must find nothing here.
const VARIADIC: ReadonlyMap<string, (args: readonly unknown[]) => unknown> = new Map<
  string,
  (args: readonly unknown[]) => unknown
>([
  ['cat', cat],
  ['+', plus],
  ['*', times],
  ['min', (args) => Math.min(...(args as number[]))],
  ['max', (args) => Math.max(...(args as number[]))],
  ['merge', merge],
]);

const SCOPED = new Set(['map', 'filter', 'reduce', 'all', 'none', 'some']);

function constant(value: unknown): Node {
  return { ev: () => value, constant: true, value };
}

/** A node whose value is always a boolean: its test is its evaluation. */
function boolean(ev: Test): Node {
  return { ev, constant: false, test: ev };
}

/** The boolean-context evaluator of a node. */
function testOf(node: Node): Test {
  if (node.constant) {
    const result = truthy(node.value);
    return () => result;
  }
  if (node.test) return node.test;
  const ev = node.ev;
  return (data) => truthy(ev(data));
}

function fail(state: State, loc: string, message: string): never {
  const prefix = state.path;
  const path =
    prefix === undefined ? (loc === '' ? '$' : loc) : loc === '' ? prefix : `${prefix}.${loc}`;
  throw new GuardConfigError(message, { path });
}

function countNode(state: State, loc: string, depth: number): void {
  if (depth > state.maxDepth) fail(state, loc, `rule nested deeper than ${state.maxDepth}`);
  state.nodes += 1;
  if (state.nodes > state.maxNodes) fail(state, loc, `rule larger than ${state.maxNodes} nodes`);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Deep-copies and freezes a literal (a non-rule object or its content), checking it is JSON. */
function literal(state: State, value: unknown, loc: string, depth: number): unknown {
  countNode(state, loc, depth);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(state, loc, 'numbers must be finite');
    return value;
  }
  if (Array.isArray(value)) {
    return Object.freeze(value.map((item, i) => literal(state, item, `${loc}[${i}]`, depth + 1)));
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: literal(state, item, `${loc}.${key}`, depth + 1),
        enumerable: true,
      });
    }
    return Object.freeze(out);
  }
  return fail(state, loc, 'not a JSON value');
}

/** The data the top level hands to generic readers (`missing`, computed `var`). */
function dataAccess(state: State): ((data: unknown) => unknown) | undefined {
  return state.atRoot ? state.root?.data : undefined;
}

function compileNode(state: State, rule: unknown, loc: string, depth: number): Node {
  if (Array.isArray(rule)) {
    countNode(state, loc, depth);
    const items = rule.map((item, i) => compileNode(state, item, `${loc}[${i}]`, depth + 1));
    if (items.every((item) => item.constant)) {
      return constant(Object.freeze(items.map((item) => item.value)));
    }
    const evs = items.map((item) => item.ev);
    return { ev: (data) => evs.map((ev) => ev(data)), constant: false };
  }
  if (typeof rule !== 'object' || rule === null || Object.keys(rule).length !== 1) {
    return constant(literal(state, rule, loc, depth));
  }
  countNode(state, loc, depth);
  if (!isPlainObject(rule)) fail(state, loc, 'not a JSON value');
  const op = Object.keys(rule)[0]!;
  const raw = (rule as Record<string, unknown>)[op];
  const values: readonly unknown[] = Array.isArray(raw) ? raw : [raw];
  const opLoc = loc === '' ? op : `${loc}.${op}`;
  const childLoc = (i: number): string => (Array.isArray(raw) ? `${opLoc}[${i}]` : opLoc);
  const child = (i: number): Node => compileNode(state, values[i], childLoc(i), depth + 1);
  const children = (): Node[] => values.map((_, i) => child(i));

  if (state.tracer) {
    state.tracer.tree.set(loc, { op, children: values.map((_, i) => childLoc(i)) });
  }

  switch (op) {
    case 'var':
      return compileVar(state, values, opLoc, child);
    case 'missing': {
      const evs = children().map((n) => n.ev);
      const access = dataAccess(state);
      return {
        ev: (data) =>
          missing(
            access ? access(data) : data,
            evs.map((ev) => ev(data)),
          ),
        constant: false,
      };
    }
    case 'missing_some': {
      const evs = children().map((n) => n.ev);
      const need = evs[0] ?? (() => undefined);
      const options = evs[1] ?? (() => undefined);
      const access = dataAccess(state);
      return {
        ev: (data) => missingSome(access ? access(data) : data, need(data), options(data)),
        constant: false,
      };
    }
    case 'if':
    case '?:':
      return compileIf(state, children(), loc);
    case 'and':
      return compileAndOr(
        state,
        children().map((node, i) => ({ ...node, source: values[i] })),
        loc,
        true,
      );
    case 'or':
      return compileAndOr(state, children(), loc, false);
    default:
      break;
  }
  if (SCOPED.has(op)) {
    // The per-item logic (second argument) reads the current item, never the top-level data.
    const nodes = values.map((_, i) => {
      if (i !== 1) return child(i);
      const atRoot = state.atRoot;
      state.atRoot = false;
      try {
        return child(i);
      } finally {
        state.atRoot = atRoot;
      }
    });
    return compileScoped(op, nodes);
  }
  const fixed = FIXED.get(op);
  if (fixed) return compileFixed(state, op, fixed, children(), loc);
  const variadic = VARIADIC.get(op);
  if (variadic) {
    const evs = children().map((n) => n.ev);
    return { ev: (data) => variadic(evs.map((ev) => ev(data))), constant: false };
  }
  const custom = BUILTIN_OPERATORS.has(op) ? undefined : state.operations?.get(op);
  if (!custom) return fail(state, loc, `unknown operator "${op}"`);
  const { minArgs = 0, maxArgs = Number.POSITIVE_INFINITY } = custom;
  if (values.length < minArgs || values.length > maxArgs) {
    fail(state, loc, `"${op}" takes ${minArgs}..${maxArgs} arguments`);
  }
  const problem = custom.check?.(values);
  if (problem !== undefined) fail(state, loc, `"${op}": ${problem}`);
  const evs = children().map((n) => n.ev);
  const evaluate = custom.evaluate;
  return { ev: (data) => evaluate(evs.map((ev) => ev(data))), constant: false };
}

/** A `var` read: `read` gives `undefined` when not found, then `notFound` is the value. */
function readNode(read: Evaluate, notFound: unknown): Node {
  return {
    ev: (data) => {
      const value = read(data);
      return value === undefined ? notFound : value;
    },
    constant: false,
    read,
    notFound,
  };
}

function compileVar(
  state: State,
  values: readonly unknown[],
  opLoc: string,
  child: (i: number) => Node,
): Node {
  const nodes = values.map((_, i) => child(i));
  const path = nodes[0];
  const fallback = nodes[1];
  const access = dataAccess(state);
  const whole: Evaluate = access ?? ((data) => data);
  if (path === undefined) return { ev: whole, constant: false };
  if (!path.constant) {
    const pathEv = path.ev;
    const fallbackEv = fallback?.ev;
    return {
      ev: (data) => {
        const nf = fallbackEv ? fallbackEv(data) : undefined;
        return varLookup(whole(data), pathEv(data), nf === undefined ? null : nf);
      },
      constant: false,
    };
  }
  const key = path.value;
  if (key === undefined || key === '' || key === null) return { ev: whole, constant: false };
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- json-logic-js's String(path).
  const segments = String(key).split('.');
  for (const segment of segments) {
    if (FORBIDDEN_SEGMENTS.has(segment))
      fail(state, opLoc, `var path segment "${segment}" refused`);
  }
  const known = state.atRoot ? state.facts : undefined;
  if (known?.has(segments.join('.')) && (fallback === undefined || fallback.constant)) {
    const value = known.get(segments.join('.'));
    if (value !== undefined) return constant(value);
    return constant(fallback?.value === undefined ? null : fallback.value);
  }
  const root = state.atRoot ? state.root : undefined;
  const read = root ? root.path(segments) : compileVarPath(segments);
  if (fallback === undefined) {
    const node = readNode(read, null);
    return root ? { ...node, rootPath: segments.join('.') } : node;
  }
  if (fallback.constant) {
    return readNode(read, fallback.value === undefined ? null : fallback.value);
  }
  // json-logic-js evaluates the default on every call, found or not.
  const fallbackEv = fallback.ev;
  return {
    ev: (data) => {
      const nf = fallbackEv(data);
      const value = read(data);
      return value !== undefined ? value : nf === undefined ? null : nf;
    },
    constant: false,
  };
}

function compileIf(state: State, nodes: readonly Node[], loc: string): Node {
  const evs = nodes.map((n) => n.ev);
  const tracer = state.tracer;
  const n = evs.length;
  if (tracer) {
    return {
      ev: (data) => {
        let i = 0;
        for (; i < n - 1; i += 2) {
          if (truthy(evs[i]!(data))) {
            tracer.sink?.set(loc, i);
            return evs[i + 1]!(data);
          }
        }
        tracer.sink?.set(loc, n === i + 1 ? i : -1);
        return n === i + 1 ? evs[i]!(data) : null;
      },
      constant: false,
    };
  }
  if (n >= 2 && nodes[0]!.constant) {
    // A constant condition picks its branch now; the other is never evaluated.
    return truthy(nodes[0]!.value) ? nodes[1]! : compileIf(state, nodes.slice(2), loc);
  }
  if (n === 1) return nodes[0]!;
  const tests = nodes.map(testOf);
  if (n === 3) {
    const [, t, e] = evs as [Evaluate, Evaluate, Evaluate];
    const [tc, tt, te] = tests as [Test, Test, Test];
    return {
      ev: (data) => (tc(data) ? t(data) : e(data)),
      test: (data) => (tc(data) ? tt(data) : te(data)),
      constant: false,
    };
  }
  return {
    ev: (data) => {
      let i = 0;
      for (; i < n - 1; i += 2) {
        if (tests[i]!(data)) return evs[i + 1]!(data);
      }
      return n === i + 1 ? evs[i]!(data) : null;
    },
    test: (data) => {
      let i = 0;
      for (; i < n - 1; i += 2) {
        if (tests[i]!(data)) return tests[i + 1]!(data);
      }
      return n === i + 1 ? tests[i]!(data) : false;
    },
    constant: false,
  };
}

function compileAndOr(state: State, nodes: readonly Node[], loc: string, isAnd: boolean): Node {
  const evs = nodes.map((n) => n.ev);
  const n = evs.length;
  const tracer = state.tracer;
  if (tracer) {
    return {
      ev: (data) => {
        let current: unknown;
        for (let i = 0; i < n; i += 1) {
          current = evs[i]!(data);
          if (truthy(current) !== isAnd) {
            tracer.sink?.set(loc, i);
            return current;
          }
        }
        tracer.sink?.set(loc, -1);
        return current;
      },
      constant: false,
    };
  }
  if (n === 0) return { ev: () => undefined, test: () => false, constant: false };
  const folded = foldAndOr(nodes, isAnd);
  if (folded.length === 1 && folded[0]!.constant) return folded[0]!;
  if (folded !== nodes) return compileAndOr(state, folded, loc, isAnd);
  if (n === 1) return { ev: evs[0]!, test: testOf(nodes[0]!), constant: false };
  // `and` / `or` return an operand; in a boolean context only its truthiness matters, and the
  // operands evaluated are the same (the first falsy / truthy one ends both).
  const tests = nodes.map(testOf);
  const test = isAnd ? andTest(tests) : orTest(tests);
  const conjuncts = isAnd
    ? nodes.flatMap((node) => node.conjuncts ?? [{ test: testOf(node), rule: node.source }])
    : undefined;
  if (n === 2) {
    const [a, b] = evs as [Evaluate, Evaluate];
    return {
      ev: isAnd
        ? (data) => {
            const x = a(data);
            return truthy(x) ? b(data) : x;
          }
        : (data) => {
            const x = a(data);
            return truthy(x) ? x : b(data);
          },
      test,
      conjuncts,
      constant: false,
    };
  }
  return {
    ev: (data) => {
      let current: unknown;
      for (let i = 0; i < n; i += 1) {
        current = evs[i]!(data);
        if (truthy(current) !== isAnd) return current;
      }
      return current;
    },
    test,
    conjuncts,
    constant: false,
  };
}

/**
 * Drops the constant operands of `and` (`or`) that cannot change what runs or what is returned:
 * a truthy (falsy) constant that is not last is skipped at run time anyway, and nothing after a
 * falsy (truthy) constant ever runs. A constant left first is the result. Returns `nodes` when
 * nothing folds.
 */
function foldAndOr(nodes: readonly Node[], isAnd: boolean): readonly Node[] {
  if (!nodes.some((node) => node.constant)) return nodes;
  const kept: Node[] = [];
  for (let i = 0; i < nodes.length; i += 1) {
    const node = nodes[i]!;
    if (node.constant) {
      const passes = truthy(node.value) === isAnd;
      if (passes && i < nodes.length - 1) continue;
      kept.push(node);
      if (!passes) break;
    } else kept.push(node);
  }
  if (kept[0]?.constant) return [kept[0]];
  return kept.length === nodes.length ? nodes : kept;
}

function andTest(tests: readonly Test[]): Test {
  const n = tests.length;
  if (n === 2) {
    const [a, b] = tests as [Test, Test];
    return (data) => a(data) && b(data);
  }
  if (n === 3) {
    const [a, b, c] = tests as [Test, Test, Test];
    return (data) => a(data) && b(data) && c(data);
  }
  if (n === 4) {
    const [a, b, c, d] = tests as [Test, Test, Test, Test];
    return (data) => a(data) && b(data) && c(data) && d(data);
  }
  return (data) => {
    for (let i = 0; i < n; i += 1) if (!tests[i]!(data)) return false;
    return true;
  };
}

function orTest(tests: readonly Test[]): Test {
  const n = tests.length;
  if (n === 2) {
    const [a, b] = tests as [Test, Test];
    return (data) => a(data) || b(data);
  }
  if (n === 3) {
    const [a, b, c] = tests as [Test, Test, Test];
    return (data) => a(data) || b(data) || c(data);
  }
  return (data) => {
    for (let i = 0; i < n; i += 1) if (tests[i]!(data)) return true;
    return false;
  };
}

function compileScoped(op: string, nodes: readonly Node[]): Node {
  const source = nodes[0]?.ev ?? (() => undefined);
  const logic = nodes[1]?.ev ?? (() => undefined);
  const holds = nodes[1] ? testOf(nodes[1]) : () => false;
  switch (op) {
    case 'filter':
      return {
        ev: (data) => {
          const items = source(data);
          return Array.isArray(items) ? (items as unknown[]).filter((item) => holds(item)) : [];
        },
        constant: false,
      };
    case 'map':
      return {
        ev: (data) => {
          const items = source(data);
          return Array.isArray(items) ? items.map((item) => logic(item)) : [];
        },
        constant: false,
      };
    case 'reduce': {
      const initialEv = nodes[2]?.ev;
      return {
        ev: (data) => {
          const items = source(data);
          const initial = initialEv ? initialEv(data) : null;
          if (!Array.isArray(items)) return initial;
          let accumulator = initial;
          for (const current of items as unknown[]) accumulator = logic({ current, accumulator });
          return accumulator;
        },
        constant: false,
      };
    }
    case 'all':
      return boolean((data) => {
        const items = source(data);
        if (!Array.isArray(items) || items.length === 0) return false;
        for (const item of items) if (!holds(item)) return false;
        return true;
      });
    case 'none':
      return boolean((data) => {
        const items = source(data);
        if (!Array.isArray(items) || items.length === 0) return true;
        for (const item of items) if (holds(item)) return false;
        return true;
      });
    default:
      return boolean((data) => {
        const items = source(data);
        if (!Array.isArray(items) || items.length === 0) return false;
        for (const item of items) if (holds(item)) return true;
        return false;
      });
  }
}

/** Operators whose result is always a boolean. */
const BOOLEAN_OPS = new Set(['==', '===', '!=', '!==', '>', '>=', '<', '<=', '!', '!!', 'in']);

/** `<`, `<=`, `>`, `>=` with the constant on the left, turned around. */
const MIRRORED: ReadonlyMap<string, string> = new Map([
  ['<', '>'],
  ['<=', '>='],
  ['>', '<'],
  ['>=', '<='],
  ['==', '=='],
  ['===', '==='],
  ['!=', '!='],
  ['!==', '!=='],
]);

/**
 * A comparison of a value with a constant, reading the value without the `var` node's extra
 * call. The constant is JSON (never `undefined`, no functions), so converting it to a
 * primitive has no side effect and `k < v` is `v > k`.
 */
function compareWithConstant(op: string, value: Node, k: unknown): Node | undefined {
  const get = value.read ?? value.ev;
  const nf = value.read ? value.notFound : undefined;
  // `undefined == k` is `null == k` for every k, so a missing value needs no substitution
  // when the default is null (the usual case).
  const looseNf = nf === null || nf === undefined;
  switch (op) {
    case '==':
      return looseNf
        ? boolean((data) => get(data) == k)
        : boolean((data) => {
            const v = get(data);
            return (v === undefined ? nf : v) == k;
          });
    case '!=':
      return looseNf
        ? boolean((data) => get(data) != k)
        : boolean((data) => {
            const v = get(data);
            return (v === undefined ? nf : v) != k;
          });
    case '===':
      return looseNf && k !== null
        ? boolean((data) => get(data) === k)
        : boolean((data) => {
            const v = get(data);
            return (v === undefined ? nf : v) === k;
          });
    case '!==':
      return looseNf && k !== null
        ? boolean((data) => get(data) !== k)
        : boolean((data) => {
            const v = get(data);
            return (v === undefined ? nf : v) !== k;
          });
    case '>':
      return boolean((data) => {
        const v = get(data);
        return ((v === undefined ? nf : v) as number) > (k as number);
      });
    case '>=':
      return boolean((data) => {
        const v = get(data);
        return ((v === undefined ? nf : v) as number) >= (k as number);
      });
    case '<':
      return boolean((data) => {
        const v = get(data);
        return ((v === undefined ? nf : v) as number) < (k as number);
      });
    case '<=':
      return boolean((data) => {
        const v = get(data);
        return ((v === undefined ? nf : v) as number) <= (k as number);
      });
    default:
      return undefined;
  }
}

/** `in` with a constant needle: membership in a list, or a substring. */
function inWithConstantNeedle(k: unknown, haystack: Node): Node {
  const get = haystack.read ?? haystack.ev;
  const nf = haystack.read ? haystack.notFound : undefined;
  const needle = typeof k === 'string' ? k : String(k);
  return boolean((data) => {
    let b = get(data);
    if (b === undefined) b = nf;
    if (Array.isArray(b)) return b.indexOf(k) !== -1;
    if (typeof b === 'string') return b.indexOf(needle) !== -1;
    return inOp(k, b);
  });
}

/** A root-provided test for `path == k`, `k == path` or `k in path`, when there is one. */
function fusedLeaf(state: State, op: string, left: Node, right: Node): Test | undefined {
  const root = state.root;
  if (!root || state.tracer) return undefined;
  if (op === '==') {
    if (right.constant && left.rootPath !== undefined) {
      return root.equals?.(left.rootPath, right.value);
    }
    if (left.constant && right.rootPath !== undefined) {
      return root.equals?.(right.rootPath, left.value);
    }
  }
  if (op === 'in' && left.constant && right.rootPath !== undefined) {
    return root.contains?.(right.rootPath, left.value);
  }
  return undefined;
}

function compileFixed(
  state: State,
  op: string,
  [arity, fn]: readonly [number, Fixed],
  nodes: readonly Node[],
  loc: string,
): Node {
  const evs = nodes.map((n) => n.ev);
  const tracer = state.tracer;
  if (tracer && (op === '!' || op === '!!')) {
    const a = evs[0] ?? (() => undefined);
    const rest = evs.slice(1);
    return {
      ev: (data) => {
        const value = a(data);
        for (const ev of rest) ev(data);
        tracer.sink?.set(loc, 0);
        return fn(value, undefined, undefined);
      },
      constant: false,
    };
  }
  const bool = BOOLEAN_OPS.has(op);
  if (!tracer && nodes.every((node) => node.constant)) {
    // Pure operators over constants fold now; one that throws stays, to throw at run time.
    const args = nodes.map((node) => node.value);
    try {
      return constant(fn(args[0], args[1], args[2]));
    } catch {
      // Not folded.
    }
  }
  if (!tracer && evs.length === 1 && (op === '!' || op === '!!')) {
    const t = testOf(nodes[0]!);
    return boolean(op === '!' ? (data) => !t(data) : t);
  }
  if (!tracer && evs.length === 2 && arity >= 2) {
    const [left, right] = nodes as [Node, Node];
    const fused = fusedLeaf(state, op, left, right);
    if (fused) return boolean(fused);
    if (right.constant && !left.constant) {
      const special = compareWithConstant(op, left, right.value);
      if (special) return special;
    }
    if (left.constant && !right.constant) {
      const mirrored = MIRRORED.get(op);
      const special = mirrored ? compareWithConstant(mirrored, right, left.value) : undefined;
      if (special) return special;
    }
    if (op === 'in' && left.constant && !right.constant) {
      return inWithConstantNeedle(left.value, right);
    }
    if (op === 'in' && right.constant) {
      const k = right.value;
      if (Array.isArray(k) && k.every((x) => typeof x !== 'object' || x === null)) {
        // Equivalent to indexOf: JSON constants hold no NaN, and objects never equal them.
        const set = new Set<unknown>(k);
        const a = left.ev;
        return boolean((data) => set.has(a(data)));
      }
    }
  }
  const made = fixedCall(fn, evs);
  return bool && !tracer ? boolean(made as Test) : { ev: made, constant: false };
}

function fixedCall(fn: Fixed, evs: readonly Evaluate[]): Evaluate {
  switch (evs.length) {
    case 0:
      return () => fn(undefined, undefined, undefined);
    case 1: {
      const [a] = evs as [Evaluate];
      return (data) => fn(a(data), undefined, undefined);
    }
    case 2: {
      const [a, b] = evs as [Evaluate, Evaluate];
      return (data) => fn(a(data), b(data), undefined);
    }
    case 3: {
      const [a, b, c] = evs as [Evaluate, Evaluate, Evaluate];
      return (data) => fn(a(data), b(data), c(data));
    }
    default:
      return (data) => {
        const args = evs.map((ev) => ev(data));
        return fn(args[0], args[1], args[2]);
      };
  }
}

function compileTop(rule: unknown, settings: CompilerSettings): Node {
  const state: State = { ...settings, nodes: 0, atRoot: true };
  return compileNode(state, rule, '', 0);
}

/** Compiles a json-logic rule into closures. Throws a `GuardConfigError` naming the path. */
export function compileRule(rule: unknown, settings: CompilerSettings): Evaluate {
  return compileTop(rule, settings).ev;
}

/** Compiles a rule for a boolean context: `truthy(compileRule(rule)(data))`, faster. */
export function compileRuleTest(rule: unknown, settings: CompilerSettings): Test {
  return testOf(compileTop(rule, settings));
}

/** A rule compiled for a boolean context, and its result when it is known without data. */
export interface CompiledTest {
  readonly test: Test;
  /** The same as tests that must all hold, in order (the operands of a top-level `and`). */
  readonly conjuncts: readonly Conjunct[];
  /** `true` / `false` when the rule folded to a constant, else undefined. */
  readonly always: boolean | undefined;
}

/** {@link compileRuleTest}, telling when the rule folded to a constant. */
export function compileCondition(rule: unknown, settings: CompilerSettings): CompiledTest {
  const node = compileTop(rule, settings);
  const test = testOf(node);
  return {
    test,
    conjuncts: node.conjuncts ?? [{ test, rule }],
    always: node.constant ? truthy(node.value) : undefined,
  };
}
