/**
 * The string whose JSON text, between its quotes, is `src[from, to)` (`codes` are its code
 * units), but only when that text is exactly what `JSON.stringify` writes for it: otherwise
 * undefined. What `JSON.stringify` writes: every character as it is, except `"` and `\` and
 * the control characters below U+0020 (`\b \t \n \f \r` in short form, the others as
 * lower-case `\u00xx`) and lone surrogates (lower-case `\udxxx`). Equivalent to
 * `JSON.parse` of the quoted text followed by a check that `JSON.stringify` gives it back,
 * without the two native round trips.
 */
export function decodeCanonical(
  src: string,
  codes: Uint16Array,
  from: number,
  to: number,
): string | undefined {
  let out = '';
  let last = from;
  for (let i = from; i < to; i++) {
    const c = codes[i]!;
    if (c === 92) {
      if (i + 1 >= to) return undefined;
      const e = codes[i + 1]!;
      let decoded: number;
      let length = 2;
      if (e === 34 || e === 92) decoded = e;
      else if (e === 110) decoded = 10;
      else if (e === 116) decoded = 9;
      else if (e === 114) decoded = 13;
      else if (e === 98) decoded = 8;
      else if (e === 102) decoded = 12;
      else if (e === 117) {
        decoded = hex4(codes, i + 2, to);
        length = 6;
        if (decoded < 0) return undefined;
        if (decoded < 0x20) {
          // Those with a short form are written in it.
          if (decoded === 8 || decoded === 9 || decoded === 10 || decoded === 12 || decoded === 13)
            return undefined;
        } else if (decoded >= 0xd800 && decoded <= 0xdbff) {
          // A high surrogate is escaped only when no low one follows it.
          const j = i + 6;
          const next =
            j >= to
              ? -1
              : codes[j] === 92 && codes[j + 1] === 117
                ? hex4(codes, j + 2, to)
                : codes[j]!;
          if (next >= 0xdc00 && next <= 0xdfff) return undefined;
        } else if (decoded < 0xdc00 || decoded > 0xdfff) return undefined;
        // (A low one cannot follow a high one here: a raw high one before this escape is lone,
        // and an escaped one before it was refused above.)
      } else return undefined;
      out += src.slice(last, i) + String.fromCharCode(decoded);
      i += length - 1;
      last = i + 1;
    } else if (c < 0x20 || c === 34) {
      return undefined;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // Raw surrogates only as a pair.
      const next = codes[i + 1]!;
      if (c > 0xdbff || i + 1 >= to || next < 0xdc00 || next > 0xdfff) return undefined;
      i++;
    }
  }
  return out + src.slice(last, to);
}

/** The four lower-case hex digits at `at` (before `to`) as a number, or -1. */
function hex4(codes: Uint16Array, at: number, to: number): number {
  if (at + 4 > to) return -1;
  let value = 0;
  for (let k = at; k < at + 4; k++) {
    const d = codes[k]!;
    if (d >= 48 && d <= 57) value = value * 16 + (d - 48);
    else if (d >= 97 && d <= 102) value = value * 16 + (d - 87);
    else return -1;
  }
  return value;
}
