// ASCII character classes of UTF-16 code units (NaN, read past the end of a string, is in none).

/** [0-9]. */
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** [0-9A-Za-z]. */
export function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
