/**
 * `s` as a string of its own. V8 keeps a slice of 13 or more characters as a pointer into the
 * string it was cut from, and a concatenation as pointers to its parts: a nonce kept in the
 * replay store, cut from a `Signature-Input` header, would keep the whole header alive for as
 * long as the nonce is kept. Shorter strings are always copies already. (Core's `ownString`,
 * written the same way: this package is for backends and does not depend on core.)
 */
export function ownString(s: string): string {
  // A concatenation is made flat (a new string) before it is sliced: the slice then points
  // into that copy, one character longer than `s`, and no longer into what `s` came from.
  return s.length < 13 ? s : (' ' + s).slice(1);
}
