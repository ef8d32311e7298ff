import { GuardConfigError } from '@agentguard/core';
import { describe, expect, it } from 'vitest';
import { compileJsonLogic, OperationRegistry } from '../src/index.js';

function nested(depth: number): unknown {
  let rule: unknown = true;
  for (let i = 0; i < depth; i += 1) rule = { '!': [rule] };
  return rule;
}

describe('hostile rules', () => {
  it('refuses literal prototype paths at compile time', () => {
    for (const path of [
      '__proto__',
      'a.__proto__.x',
      'constructor',
      'args.constructor.prototype',
      'x.prototype',
    ]) {
      expect(() => compileJsonLogic({ var: path })).toThrow(GuardConfigError);
    }
    expect(() => compileJsonLogic({ and: [true, { var: ['a.__proto__', 1] }] })).toThrow(
      'and[1].var: var path segment "__proto__" refused',
    );
    expect(() => compileJsonLogic({ missing: ['a'] })).not.toThrow();
  });

  it('computed prototype paths yield null', () => {
    const rule = compileJsonLogic({ var: { cat: [{ var: 'p' }, '.polluted'] } });
    expect(rule({ p: '__proto__' })).toBeNull();
    expect(compileJsonLogic({ var: { var: 'p' } })({ p: 'constructor' })).toBeNull();
    expect(
      compileJsonLogic({ var: [{ var: 'p' }, 'dflt'] })({ p: 'a.constructor.name', a: {} }),
    ).toBeNull();
    expect(compileJsonLogic({ missing: { var: 'keys' } })({ keys: ['constructor'] })).toEqual([
      'constructor',
    ]);
  });

  it('reads only own properties and never returns functions', () => {
    const inherited = Object.create({ isAdmin: true }) as Record<string, unknown>;
    expect(compileJsonLogic({ var: 'user.isAdmin' })({ user: inherited })).toBeNull();
    expect(compileJsonLogic({ var: 'user.toString' })({ user: {} })).toBeNull();
    expect(compileJsonLogic({ var: 'user.fn' })({ user: { fn: () => 1 } })).toBeNull();
    expect(compileJsonLogic({ var: 'list.map' })({ list: [1] })).toBeNull();
    expect(compileJsonLogic({ var: 'list.length' })({ list: [1, 2] })).toBe(2);
    expect(compileJsonLogic({ var: 's.length' })({ s: 'abc' })).toBe(3);
  });

  it('does not pollute prototypes through rules or data', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
    compileJsonLogic({ merge: [{ var: 'a' }, [1]] })(data);
    compileJsonLogic({ map: [[{ var: '' }], { var: 'polluted' }] })(data);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const literal = compileJsonLogic(JSON.parse('{"a": 1, "__proto__": {"x": 1}}'))(null);
    expect(Object.isFrozen(literal)).toBe(true);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('has no method operation and no log', () => {
    expect(() => compileJsonLogic({ method: [{ var: 'a' }, 'toUpperCase'] })).toThrow(
      'unknown operator "method"',
    );
    expect(() => compileJsonLogic({ log: 'x' })).toThrow('unknown operator "log"');
    expect(() => compileJsonLogic({ 'Math.max': [1] })).toThrow(/unknown operator/);
    expect(() => compileJsonLogic({ __proto__: 1 })).not.toThrow();
    expect(() => compileJsonLogic(JSON.parse('{"__proto__": [1]}'))).toThrow(
      'unknown operator "__proto__"',
    );
    expect(() => compileJsonLogic({ constructor: [1] })).toThrow('unknown operator "constructor"');
    expect(() => compileJsonLogic({ hasOwnProperty: ['a'] })).toThrow(/unknown operator/);
  });

  it('bounds depth and size, with clear errors at load time', () => {
    expect(() => compileJsonLogic(nested(60))).not.toThrow();
    expect(() => compileJsonLogic(nested(100))).toThrow(/nested deeper than 64/);
    expect(() => compileJsonLogic(nested(10), { maxDepth: 5 })).toThrow(/nested deeper than 5/);
    const wide = { or: Array.from({ length: 20_000 }, () => false) };
    expect(() => compileJsonLogic(wide)).toThrow(/larger than 10000 nodes/);
    let deepArray: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deepArray = [deepArray];
    expect(() => compileJsonLogic(deepArray)).toThrow(/nested deeper/);
    const deepLiteral = JSON.parse(`${'{"a":1,"b":'.repeat(100)}1${'}'.repeat(100)}`) as unknown;
    expect(() => compileJsonLogic({ '==': [deepLiteral, 1] })).toThrow(/nested deeper/);
  });

  it('rejects values that are not JSON', () => {
    expect(() => compileJsonLogic({ '==': [undefined, 1] })).toThrow('==[0]: not a JSON value');
    expect(() => compileJsonLogic({ '==': [() => 1, 1] })).toThrow(/not a JSON value/);
    expect(() => compileJsonLogic({ '==': [Number.NaN, 1] })).toThrow(/finite/);
    expect(() => compileJsonLogic({ '==': [new Date(), 1] })).toThrow(/not a JSON value/);
    expect(() => compileJsonLogic(new Map())).toThrow(/not a JSON value/);
  });

  it('never runs data as a rule', () => {
    const rule = compileJsonLogic({ missing: { var: 'k' } });
    expect(() => rule({ k: { var: 'secret' }, secret: 1 })).toThrow(
      /data cannot be used as a rule/,
    );
    expect(compileJsonLogic({ var: 'k' })({ k: { var: 'secret' } })).toEqual({ var: 'secret' });
  });

  it('checks custom operations at load time', () => {
    const ops = new OperationRegistry().register('two', {
      minArgs: 2,
      maxArgs: 2,
      check: ([, b]) => (typeof b === 'string' ? undefined : 'second argument must be a string'),
      evaluate: ([a, b]) => `${String(a)}${String(b)}`,
    });
    expect(compileJsonLogic({ two: [1, 'x'] }, { operations: ops })(null)).toBe('1x');
    expect(() => compileJsonLogic({ two: [1] }, { operations: ops })).toThrow(
      '$: "two" takes 2..2 arguments',
    );
    expect(() => compileJsonLogic({ two: [1, 2] }, { operations: ops })).toThrow(
      /must be a string/,
    );
    expect(() => compileJsonLogic({ two: [1, 'x'] })).toThrow(/unknown operator "two"/);
    expect(() => ops.register('two', { evaluate: () => 1 })).toThrow(/already registered/);
    expect(() => ops.register('bad name', { evaluate: () => 1 })).toThrow(/letters/);
    expect(() => ops.register('method', { evaluate: () => 1 })).toThrow(/reserved/);
    expect(() => ops.register('x', {} as never)).toThrow(/evaluate/);
  });
});
