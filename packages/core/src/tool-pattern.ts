/** Matches a tool name. */
export type ToolMatcher = (toolName: string) => boolean;

const SPECIAL = /[.+?^${}()|[\]\\]/g;

/**
 * Compiles a tool name pattern: an exact name, or a glob where `*` matches any run of
 * characters (`payments.*`, `*.delete`, `*`). Compiled once; matching is a string comparison
 * or one linear regular-expression test.
 */
export function compileToolPattern(pattern: string): ToolMatcher {
  if (pattern === '*') return () => true;
  if (!pattern.includes('*')) return (name) => name === pattern;
  // Collapse runs of `*` so a pattern like `a**********b` cannot cost more than `a*b`.
  const source = pattern.replace(/\*+/g, '*').replace(SPECIAL, '\\$&').replaceAll('*', '.*');
  const regex = new RegExp(`^${source}$`, 's');
  return (name) => regex.test(name);
}

/** Compiles several patterns into one matcher that matches when any of them does. */
export function compileToolPatterns(patterns: readonly string[]): ToolMatcher {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*')).map(compileToolPattern);
  if (globs.length === 0) return (name) => exact.has(name);
  return (name) => exact.has(name) || globs.some((match) => match(name));
}
