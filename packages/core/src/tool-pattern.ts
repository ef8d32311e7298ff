/** Matches a tool name. */
export type ToolMatcher = (toolName: string) => boolean;

/**
 * Compiles a tool name pattern: an exact name, or a glob where `*` matches any run of
 * characters (`payments.*`, `*.delete`, `*`). Compiled once. Matching never backtracks: the
 * literal parts between stars are found left to right, each with one `indexOf` from where the
 * previous one ended (for `*`-only globs the leftmost match of each part is always right), so
 * the cost is linear in the name's length times the number of parts.
 */
export function compileToolPattern(pattern: string): ToolMatcher {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const parts = pattern.split('*');
  const head = parts[0]!;
  const tail = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p.length > 0);
  if (head === '' && tail === '' && middle.length === 0) return () => true;
  const minLength = head.length + tail.length + middle.reduce((n, p) => n + p.length, 0);
  return (name) => {
    if (name.length < minLength || !name.startsWith(head) || !name.endsWith(tail)) return false;
    let from = head.length;
    const end = name.length - tail.length;
    for (const part of middle) {
      const at = name.indexOf(part, from);
      if (at < 0 || at + part.length > end) return false;
      from = at + part.length;
    }
    return true;
  };
}

/** Compiles several patterns into one matcher that matches when any of them does. */
export function compileToolPatterns(patterns: readonly string[]): ToolMatcher {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*')).map(compileToolPattern);
  if (globs.length === 0) return (name) => exact.has(name);
  return (name) => exact.has(name) || globs.some((match) => match(name));
}
