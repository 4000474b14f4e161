// Reading the structure of the config schemas (zod 4 has no public API for it): which keys an object takes
// at a path, and the default a key gets. Through defaults, prefaults, optionals and pipes (transforms).
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  keyType?: z.ZodType;
  entries?: Record<string, string>;
  defaultValue?: unknown;
}

const defOf = (node: z.ZodType) => (node as unknown as { _zod: { def: Def } })._zod.def;

/** The wrapped schema under defaults, optionals and pipes; `onWrapper` sees each wrapper on the way. */
function unwrap(node: z.ZodType, onWrapper?: (def: Def) => void): z.ZodType {
  for (let def = defOf(node); ; def = defOf(node)) {
    onWrapper?.(def);
    if (def.innerType) node = def.innerType;
    else if (def.type === 'pipe' && def.in) node = def.in;
    else return node;
  }
}

function nodeAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = schema;
  for (const key of path) {
    node = defOf(unwrap(node)).shape?.[String(key)];
    if (!node) return undefined;
  }
  return node;
}

/** The keys an object (or a record with fixed keys) in `schema` at `path` takes. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const node = nodeAt(schema, path);
  if (!node) return [];
  const def = defOf(unwrap(node));
  if (def.shape) return Object.keys(def.shape);
  const keyDef = def.keyType && defOf(def.keyType);
  return keyDef?.entries ? Object.values(keyDef.entries) : [];
}

/** The default the schema gives the key at `path` (the outermost default or prefault), if any. */
export function defaultAt(schema: z.ZodType, path: readonly PropertyKey[]): unknown {
  const node = nodeAt(schema, path);
  let found: unknown;
  if (node) unwrap(node, (def) => {
    if ((def.type === 'default' || def.type === 'prefault') && found === undefined) found = def.defaultValue;
  });
  return found;
}
