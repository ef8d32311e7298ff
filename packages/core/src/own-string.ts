/**
 * `s` as a string of its own. V8 keeps a slice of 13 or more characters (`slice`, `substring`,
 * a regular expression's capture) as a pointer into the string it was cut from, and a
 * concatenation as pointers to its parts: kept in an audit event, a truncated User-Agent, an
 * address read from `X-Forwarded-For` or an id read from `traceparent` would keep the whole
 * header alive with it for as long as the event is queued or stored. Shorter strings are
 * always copies already.
 */
export function ownString(s: string): string {
  // A concatenation is made flat (a new string) before it is sliced: the slice then points
  // into that copy, one character longer than `s`, and no longer into what `s` came from.
  return s.length < 13 ? s : (' ' + s).slice(1);
}
