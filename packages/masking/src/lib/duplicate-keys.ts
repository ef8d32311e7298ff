/**
 * True when an object of the JSON text `s` has a key twice. `JSON.parse` keeps the last value
 * of such a key, so the text holds values the parsed value does not: a text with nothing to
 * mask once parsed may still carry sensitive data under an earlier copy of a key, and must not
 * be passed on as it is. `s` must be valid JSON (it was parsed): a string followed by `:` is a
 * key. One pass, a set of keys per open object; keys with escapes are decoded (`"\u0061"` is
 * `"a"` to `JSON.parse`).
 */
export function hasDuplicateKeys(s: string): boolean {
  // One entry per open container: the keys of an object so far, undefined for an array.
  const open: (Set<string> | undefined)[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 123) open.push(new Set());
    else if (c === 91) open.push(undefined);
    else if (c === 125 || c === 93) open.pop();
    else if (c === 34) {
      let end = i + 1;
      let escaped = false;
      for (let d = s.charCodeAt(end); d !== 34; d = s.charCodeAt(end)) {
        if (d === 92) {
          escaped = true;
          end += 2;
        } else end++;
      }
      const keys = open[open.length - 1];
      if (keys !== undefined && s.charCodeAt(skipSpace(s, end + 1)) === 58) {
        const key = escaped ? (JSON.parse(s.slice(i, end + 1)) as string) : s.slice(i + 1, end);
        if (keys.has(key)) return true;
        keys.add(key);
      }
      i = end;
    }
  }
  return false;
}

/** The first position from `i` that is not JSON whitespace. */
function skipSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}
