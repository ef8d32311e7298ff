/**
 * `s` as a string of its own. V8 keeps a slice of 13 or more characters (`slice`, `substring`,
 * `split`, a regular expression's capture) as a pointer into the string it was cut from, and a
 * concatenation as pointers to its parts: stored in something that outlives the call (an audit
 * event, a cache key), a value cut from a request header or body would keep the whole header or
 * body alive with it, and the data in it. Shorter strings are always copies already.
 */
export function ownString(s: string): string {
  // A concatenation is made flat (a new string) before it is sliced: the slice then points
  // into that copy, one character longer than `s`, and no longer into what `s` came from.
  return s.length < 13 ? s : (' ' + s).slice(1);
}
