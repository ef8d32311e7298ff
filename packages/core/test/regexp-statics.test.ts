import { describe, expect, it } from 'vitest';
import { forgetLastMatch, testQuietly } from '../src/index.js';

// V8 keeps the subject of the last successful match in the legacy RegExp statics
// (RegExp.input, RegExp.lastMatch, RegExp.$1): a heap dump would show a token there until
// some other regular expression matched. Each statics read below comes right after the call.
const legacy = RegExp as unknown as {
  readonly input: string;
  readonly lastMatch: string;
  readonly $1: string;
};

describe('forgetLastMatch', () => {
  it('empties the legacy RegExp statics', () => {
    expect(/secret-(\w+)/.exec('a secret-value here')?.[1]).toBe('value');
    expect(legacy.input).toBe('a secret-value here');
    forgetLastMatch();
    expect(legacy.input).toBe('');
    expect(legacy.lastMatch).toBe('');
  });
});

describe('testQuietly', () => {
  it('answers as test does, and leaves no trace of a subject it matched', () => {
    const answer = testQuietly(/token=(\w+)/, '/mcp?token=s3cret-value');
    const { input, lastMatch, $1 } = legacy;
    expect(answer).toBe(true);
    expect(input).not.toContain('s3cret');
    expect(lastMatch).not.toContain('s3cret');
    expect($1).not.toContain('s3cret');
  });

  it('answers false on no match, leaving the statics as they were', () => {
    expect(/before-(\w+)/.test('x before-match')).toBe(true);
    expect(testQuietly(/token=/, 'nothing here')).toBe(false);
    expect(legacy.input).toBe('x before-match');
  });

  it('works with global and sticky patterns as test does (lastIndex moves)', () => {
    const sticky = /ab/y;
    sticky.lastIndex = 2;
    expect(testQuietly(sticky, 'xxab')).toBe(true);
    expect(sticky.lastIndex).toBe(4);
    expect(legacy.input).toBe('');
  });
});
