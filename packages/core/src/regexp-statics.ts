/** Matches the empty string. */
const EMPTY = /(?:)/;

/**
 * Points V8's legacy RegExp statics (`RegExp.input`, `RegExp.lastMatch`, `RegExp.$1`…) at an
 * empty string. They keep the subject of the last successful match anywhere in the process
 * alive: after a regular expression ran on a token or an `Authorization` header, a heap dump
 * would show the token there until some other regular expression matched. Call it after such
 * a match.
 */
export function forgetLastMatch(): void {
  EMPTY.test('');
}

/**
 * `pattern.test(subject)` that leaves no trace of `subject` in the legacy RegExp statics: they
 * are cleared after a match ({@link forgetLastMatch}); a failed test leaves them as they were.
 */
export function testQuietly(pattern: RegExp, subject: string): boolean {
  if (!pattern.test(subject)) return false;
  forgetLastMatch();
  return true;
}
