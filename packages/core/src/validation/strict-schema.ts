import { z } from 'zod';

type AnyDef = Record<string, unknown> & { readonly type: string };

/** Wrapper kinds whose one inner schema lives in `def.innerType`. */
const INNER_TYPE = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'catch',
  'readonly',
  'nonoptional',
]);

/**
 * Rebuilds `schema` so that every object in it rejects unknown keys. Objects whose unknown-key
 * behaviour was chosen explicitly (`z.looseObject`, `.catchall()`) keep it: that is an opt-out
 * the developer wrote down. Refinements and checks are kept (schemas are cloned from their
 * definitions). Intersections and lazy schemas are left as written: making both sides of an
 * intersection strict would reject every input. Runs once per tool, at `guard()` time.
 */
export function strictSchema<S extends z.ZodType>(schema: S): S {
  return rebuild(schema, new Map()) as S;
}

function rebuild(schema: z.ZodType, seen: Map<z.ZodType, z.ZodType>): z.ZodType {
  const done = seen.get(schema);
  if (done) return done;
  const def = schema.def as unknown as AnyDef;
  let next: z.ZodType = schema;
  if (def.type === 'object') {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, member] of Object.entries(def['shape'] as Record<string, z.ZodType>)) {
      shape[key] = rebuild(member, seen);
    }
    const catchall = def['catchall'] as z.ZodType | undefined;
    next = clone(schema, {
      ...def,
      shape,
      catchall: catchall === undefined ? z.never() : rebuild(catchall, seen),
    });
  } else if (def.type === 'array') {
    next = clone(schema, { ...def, element: rebuild(def['element'] as z.ZodType, seen) });
  } else if (INNER_TYPE.has(def.type)) {
    next = clone(schema, { ...def, innerType: rebuild(def['innerType'] as z.ZodType, seen) });
  } else if (def.type === 'union') {
    const options = (def['options'] as z.ZodType[]).map((option) => rebuild(option, seen));
    next = clone(schema, { ...def, options });
  } else if (def.type === 'record') {
    next = clone(schema, { ...def, valueType: rebuild(def['valueType'] as z.ZodType, seen) });
  } else if (def.type === 'pipe') {
    next = clone(schema, { ...def, in: rebuild(def['in'] as z.ZodType, seen) });
  } else if (def.type === 'tuple') {
    const items = (def['items'] as z.ZodType[]).map((item) => rebuild(item, seen));
    const rest = def['rest'] as z.ZodType | null | undefined;
    next = clone(schema, { ...def, items, rest: rest ? rebuild(rest, seen) : rest });
  }
  seen.set(schema, next);
  return next;
}

function clone(schema: z.ZodType, def: AnyDef): z.ZodType {
  return (schema as unknown as { clone(def: AnyDef): z.ZodType }).clone(def);
}
