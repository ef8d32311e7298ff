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
  /** Direct getters for literal `var` paths (the engine's evaluation context). */
  readonly fastPath?: ((segments: readonly string[]) => Evaluate | undefined) | undefined;
}

interface State extends CompilerSettings {
  nodes: number;
}

interface Node {
  readonly ev: Evaluate;
  readonly constant: boolean;
  readonly value?: unknown;
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
      return {
        ev: (data) =>
          missing(
            data,
            evs.map((ev) => ev(data)),
          ),
        constant: false,
      };
    }
    case 'missing_some': {
      const evs = children().map((n) => n.ev);
      const need = evs[0] ?? (() => undefined);
      const options = evs[1] ?? (() => undefined);
      return { ev: (data) => missingSome(data, need(data), options(data)), constant: false };
    }
    case 'if':
    case '?:':
      return compileIf(state, children(), loc);
    case 'and':
      return compileAndOr(state, children(), loc, true);
    case 'or':
      return compileAndOr(state, children(), loc, false);
    default:
      break;
  }
  if (SCOPED.has(op)) return compileScoped(op, children());
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

function compileVar(
  state: State,
  values: readonly unknown[],
  opLoc: string,
  child: (i: number) => Node,
): Node {
  const nodes = values.map((_, i) => child(i));
  const path = nodes[0];
  const fallback = nodes[1];
  if (path === undefined) return { ev: (data) => data, constant: false };
  if (!path.constant) {
    const pathEv = path.ev;
    const fallbackEv = fallback?.ev;
    return {
      ev: (data) => {
        const nf = fallbackEv ? fallbackEv(data) : undefined;
        return varLookup(data, pathEv(data), nf === undefined ? null : nf);
      },
      constant: false,
    };
  }
  const key = path.value;
  if (key === undefined || key === '' || key === null) {
    return { ev: (data) => data, constant: false };
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- json-logic-js's String(path).
  const segments = String(key).split('.');
  for (const segment of segments) {
    if (FORBIDDEN_SEGMENTS.has(segment))
      fail(state, opLoc, `var path segment "${segment}" refused`);
  }
  const fast = state.fastPath?.(segments);
  const get = fast
    ? (data: unknown, nf: unknown) => {
        const value = fast(data);
        return value === undefined ? nf : value;
      }
    : compileVarPath(segments);
  if (fallback === undefined) {
    if (fast) {
      return {
        ev: (data) => {
          const value = fast(data);
          return value === undefined ? null : value;
        },
        constant: false,
      };
    }
    return { ev: (data) => get(data, null), constant: false };
  }
  if (fallback.constant) {
    const nf = fallback.value === undefined ? null : fallback.value;
    return { ev: (data) => get(data, nf), constant: false };
  }
  const fallbackEv = fallback.ev;
  return {
    ev: (data) => {
      const nf = fallbackEv(data);
      return get(data, nf === undefined ? null : nf);
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
  if (n === 3) {
    const [c, t, e] = evs as [Evaluate, Evaluate, Evaluate];
    return { ev: (data) => (truthy(c(data)) ? t(data) : e(data)), constant: false };
  }
  return {
    ev: (data) => {
      let i = 0;
      for (; i < n - 1; i += 2) {
        if (truthy(evs[i]!(data))) return evs[i + 1]!(data);
      }
      return n === i + 1 ? evs[i]!(data) : null;
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
  if (n === 0) return { ev: () => undefined, constant: false };
  if (n === 1) return { ev: evs[0]!, constant: false };
  if (isAnd) {
    if (n === 2) {
      const [a, b] = evs as [Evaluate, Evaluate];
      return {
        ev: (data) => {
          const x = a(data);
          return truthy(x) ? b(data) : x;
        },
        constant: false,
      };
    }
    if (n === 3) {
      const [a, b, c] = evs as [Evaluate, Evaluate, Evaluate];
      return {
        ev: (data) => {
          const x = a(data);
          if (!truthy(x)) return x;
          const y = b(data);
          return truthy(y) ? c(data) : y;
        },
        constant: false,
      };
    }
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
    constant: false,
  };
}

function compileScoped(op: string, nodes: readonly Node[]): Node {
  const source = nodes[0]?.ev ?? (() => undefined);
  const logic = nodes[1]?.ev ?? (() => undefined);
  switch (op) {
    case 'filter':
      return {
        ev: (data) => {
          const items = source(data);
          return Array.isArray(items)
            ? (items as unknown[]).filter((item) => truthy(logic(item)))
            : [];
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
      return {
        ev: (data) => {
          const items = source(data);
          if (!Array.isArray(items) || items.length === 0) return false;
          for (const item of items) if (!truthy(logic(item))) return false;
          return true;
        },
        constant: false,
      };
    case 'none':
      return {
        ev: (data) => {
          const items = source(data);
          if (!Array.isArray(items) || items.length === 0) return true;
          for (const item of items) if (truthy(logic(item))) return false;
          return true;
        },
        constant: false,
      };
    default:
      return {
        ev: (data) => {
          const items = source(data);
          if (!Array.isArray(items) || items.length === 0) return false;
          for (const item of items) if (truthy(logic(item))) return true;
          return false;
        },
        constant: false,
      };
  }
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
  if (evs.length === 2 && arity >= 2) {
    const [a, b] = evs as [Evaluate, Evaluate];
    const right = nodes[1]!;
    if (right.constant) {
      const k = right.value;
      if (op === '===') return { ev: (data) => a(data) === k, constant: false };
      if (op === '==') return { ev: (data) => a(data) == k, constant: false };
      if (op === 'in' && Array.isArray(k) && k.every((x) => typeof x !== 'object' || x === null)) {
        // Equivalent to indexOf: JSON constants hold no NaN, and objects never equal them.
        const set = new Set<unknown>(k);
        return { ev: (data) => set.has(a(data)), constant: false };
      }
    }
    return { ev: (data) => fn(a(data), b(data), undefined), constant: false };
  }
  switch (evs.length) {
    case 0:
      return { ev: () => fn(undefined, undefined, undefined), constant: false };
    case 1: {
      const [a] = evs as [Evaluate];
      return { ev: (data) => fn(a(data), undefined, undefined), constant: false };
    }
    case 2: {
      const [a, b] = evs as [Evaluate, Evaluate];
      return { ev: (data) => fn(a(data), b(data), undefined), constant: false };
    }
    case 3: {
      const [a, b, c] = evs as [Evaluate, Evaluate, Evaluate];
      return { ev: (data) => fn(a(data), b(data), c(data)), constant: false };
    }
    default:
      return {
        ev: (data) => {
          const args = evs.map((ev) => ev(data));
          return fn(args[0], args[1], args[2]);
        },
        constant: false,
      };
  }
}

/** Compiles a json-logic rule into closures. Throws a `GuardConfigError` naming the path. */
export function compileRule(rule: unknown, settings: CompilerSettings): Evaluate {
  const state: State = { ...settings, nodes: 0 };
  return compileNode(state, rule, '', 0).ev;
}
