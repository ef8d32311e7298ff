// Seeded generator of json-logic rules and data for differential tests against json-logic-js.

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const KEYS = ['a', 'b', 'c', 'x', 'arr', 'n', 's'];
const DATA_PATHS = [
  'a',
  'b',
  'c',
  'x',
  'n',
  's',
  'arr',
  'a.b',
  'a.c',
  'arr.0',
  'arr.1',
  'arr.length',
  's.length',
  '',
  '0',
  '1',
  'x.a.b',
  'missing.deep',
];
const STRINGS = [
  '',
  '0',
  '1',
  '2.5',
  'a',
  'abc',
  'apple',
  'App',
  ' 3 ',
  'true',
  'null',
  '-1',
  'b,c',
];
const NUMBERS = [0, 1, -1, 2, 3, 10, 0.5, -2.5, 100, 1e21, 7];

const BINARY = ['==', '===', '!=', '!==', '>', '>=', '%', '-', '/', 'in'];
const VARIADIC = ['and', 'or', 'cat', '+', '*', 'min', 'max', 'merge', 'if', '?:', '<', '<='];
const UNARY = ['!', '!!', '-', '+'];
const SCOPED = ['map', 'filter', 'all', 'none', 'some'];

export interface Generator {
  rule(depth?: number): unknown;
  data(depth?: number): unknown;
  /** A random number in [0, 1). */
  random(): number;
}

/** What `var`, `missing` and the scoped operations read. Default: generic data paths. */
export interface GeneratorOptions {
  readonly paths?: readonly string[];
  /** Sources of `map`, `filter`, `reduce`, `all`, `none`, `some`. */
  readonly lists?: readonly string[];
}

/** Rules and data drawn from `seed`. */
export function generator(seed: number, options: GeneratorOptions = {}): Generator {
  const PATHS = options.paths ?? DATA_PATHS;
  const LISTS = options.lists ?? ['arr', 'a', 'x'];
  const REDUCED = options.lists ?? ['arr', 'a'];
  const random = prng(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

  function primitive(): unknown {
    switch (int(6)) {
      case 0:
        return pick(STRINGS);
      case 1:
      case 2:
        return pick(NUMBERS);
      case 3:
        return random() < 0.5;
      case 4:
        return null;
      default:
        return pick(STRINGS);
    }
  }

  function data(depth = 0): unknown {
    const r = random();
    if (depth > 2 || r < 0.45) return primitive();
    if (r < 0.7) {
      return Array.from({ length: int(4) }, () => data(depth + 1));
    }
    const out: Record<string, unknown> = {};
    const count = int(5);
    for (let i = 0; i < count; i += 1) out[pick(KEYS)] = data(depth + 1);
    return out;
  }

  function args(depth: number, count: number): unknown[] {
    return Array.from({ length: count }, () => rule(depth + 1));
  }

  function rule(depth = 0): unknown {
    const r = random();
    if (depth > 4 || r < 0.25) return primitive();
    if (r < 0.45) {
      const v = random();
      if (v < 0.6) return { var: pick(PATHS) };
      if (v < 0.85) return { var: [pick(PATHS), primitive()] };
      return { var: rule(depth + 1) };
    }
    if (r < 0.5) return Array.from({ length: int(3) }, () => rule(depth + 1));
    if (r < 0.55) {
      return random() < 0.5
        ? { missing: Array.from({ length: int(3) }, () => pick(PATHS)) }
        : { missing_some: [int(3), Array.from({ length: int(4) }, () => pick(PATHS))] };
    }
    if (r < 0.6) {
      const op = pick(SCOPED);
      return {
        [op]: [
          random() < 0.7 ? { var: pick(LISTS) } : Array.from({ length: int(4) }, primitive),
          rule(depth + 1),
        ],
      };
    }
    if (r < 0.63) {
      return {
        reduce: [
          { var: pick(REDUCED) },
          { '+': [{ var: 'current' }, { var: 'accumulator' }] },
          primitive(),
        ],
      };
    }
    if (r < 0.67) return { substr: args(depth, 1 + int(3)) };
    if (r < 0.75) return { [pick(UNARY)]: random() < 0.5 ? rule(depth + 1) : args(depth, 1) };
    if (r < 0.88) {
      const op = pick(BINARY);
      return { [op]: args(depth, random() < 0.9 ? 2 : int(4)) };
    }
    const op = pick(VARIADIC);
    return { [op]: args(depth, int(5)) };
  }

  return { rule, data, random };
}
