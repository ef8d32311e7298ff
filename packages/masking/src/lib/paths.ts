import { GuardConfigError } from '@agentguard/core';

/** One step of a compiled JSON path. */
export type PathSegment =
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'descend' };

const SIMPLE_KEY = /^[A-Za-z_$][\w$]*$/;

/** Parses `$.a.b[0]['c d'][*].*..e` into segments. */
export function parsePath(path: string, where: string): PathSegment[] {
  if (!path.startsWith('$'))
    throw new GuardConfigError('a JSON path starts with $', { path: where });
  const out: PathSegment[] = [];
  let i = 1;
  const bad = (): never => {
    throw new GuardConfigError(`unsupported JSON path near character ${i}`, { path: where });
  };
  while (i < path.length) {
    if (path.startsWith('..', i)) {
      out.push({ kind: 'descend' });
      i += 2;
      const m = /^(\*|[A-Za-z_$][\w$-]*)/.exec(path.slice(i));
      if (m === null) bad();
      out.push(m![1] === '*' ? { kind: 'any' } : { kind: 'key', name: m![1]! });
      i += m![1]!.length;
    } else if (path[i] === '.') {
      const m = /^(\*|[A-Za-z_$][\w$-]*)/.exec(path.slice(i + 1));
      if (m === null) bad();
      out.push(m![1] === '*' ? { kind: 'any' } : { kind: 'key', name: m![1]! });
      i += 1 + m![1]!.length;
    } else if (path[i] === '[') {
      const m = /^\[(?:(\*)|(\d{1,9})|'((?:[^'\\]|\\.){0,256})'|"((?:[^"\\]|\\.){0,256})")\]/.exec(
        path.slice(i),
      );
      if (m === null) bad();
      if (m![1] !== undefined) out.push({ kind: 'any' });
      else if (m![2] !== undefined) out.push({ kind: 'index', index: Number(m![2]) });
      else out.push({ kind: 'key', name: (m![3] ?? m![4]!).replace(/\\(.)/g, '$1') });
      i += m![0].length;
    } else bad();
  }
  if (out.length === 0)
    throw new GuardConfigError('the root path $ cannot be a field rule', { path: where });
  return out;
}

/** True when the path `stack` matches `segments` exactly. */
export function matchPath(
  segments: readonly PathSegment[],
  stack: readonly (string | number)[],
): boolean {
  return matchFrom(segments, 0, stack, 0);
}

function matchFrom(
  segs: readonly PathSegment[],
  si: number,
  stack: readonly (string | number)[],
  ki: number,
): boolean {
  if (si === segs.length) return ki === stack.length;
  const seg = segs[si]!;
  if (seg.kind === 'descend') {
    for (let k = ki; k < stack.length; k++) if (matchFrom(segs, si + 1, stack, k)) return true;
    return false;
  }
  if (ki >= stack.length) return false;
  const step = stack[ki]!;
  const ok =
    seg.kind === 'any' ||
    (seg.kind === 'key' && step === seg.name) ||
    (seg.kind === 'index' && step === seg.index);
  return ok && matchFrom(segs, si + 1, stack, ki + 1);
}

/** Formats a path stack as `$.a[0]['b c']`. */
export function formatPath(stack: readonly (string | number)[]): string {
  let out = '$';
  for (const step of stack) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (SIMPLE_KEY.test(step)) out += `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}
