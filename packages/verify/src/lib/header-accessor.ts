/** Request headers as web `Headers` or a Node-style record (lowercase names). */
export type HeaderSource =
  Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Returns a lookup giving each field's combined value (lines trimmed, joined with `, `). */
export function headerAccessor(source: HeaderSource): (name: string) => string | undefined {
  if (
    typeof (source as Headers).get === 'function' &&
    typeof (source as Headers).has === 'function'
  ) {
    const headers = source as Headers;
    return (name) => headers.get(name) ?? undefined;
  }
  const record = source as Readonly<Record<string, string | readonly string[] | undefined>>;
  // Component names come from the request: anything inherited (`constructor`, `__proto__`) is
  // neither a string nor an array and reads as absent.
  return (name) => {
    const value: unknown = record[name];
    if (typeof value === 'string') return value.trim();
    if (!Array.isArray(value) || value.length === 0) return undefined;
    let combined = '';
    for (let i = 0; i < value.length; i++) {
      const line: unknown = value[i];
      if (typeof line !== 'string') return undefined;
      combined += i === 0 ? line.trim() : `, ${line.trim()}`;
    }
    return combined;
  };
}
