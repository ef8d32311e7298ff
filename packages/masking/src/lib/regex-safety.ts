/**
 * True when `source` has a quantified group that itself contains a quantifier (`(a+)+`,
 * `(\w*x)*`, `(?:a{1,9}){2,}`): the shape behind catastrophic backtracking. Conservative: it
 * may refuse some safe patterns, never the other way round for this shape.
 */
export function hasNestedQuantifier(source: string): boolean {
  const stack: boolean[] = [];
  let inner = false;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      stack.push(inner);
      inner = false;
    } else if (c === ')') {
      const groupHadQuantifier = inner;
      inner = stack.pop() ?? false;
      const next = source[i + 1];
      const quantified = next === '*' || next === '+' || next === '{' || next === '?';
      if (quantified && groupHadQuantifier && next !== '?') return true;
      if (groupHadQuantifier) inner = true;
    } else if (c === '*' || c === '+' || c === '{') {
      inner = true;
    }
  }
  return false;
}
