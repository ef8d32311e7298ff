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
  return (name) => {
    const value = Object.hasOwn(record, name) ? record[name] : undefined;
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value.trim();
    if (value.length === 1) return value[0]!.trim();
    return value.length === 0 ? undefined : value.map((line) => line.trim()).join(', ');
  };
}
