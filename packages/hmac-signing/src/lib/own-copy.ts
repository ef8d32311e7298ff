/**
 * A copy of `s` that shares no memory with it. V8 keeps a slice of 13 or more characters
 * (`slice`, `substring`, a regular expression capture) as a pointer into the whole string it
 * came from: a name parsed from a header and stored for the life of the process would keep the
 * whole header alive. The round trip through UTF-16 keeps every code unit, lone surrogates
 * included.
 */
export function ownCopy(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}
