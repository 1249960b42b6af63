// Small accessors for objects held as plain JSON: the model keeps kinds loosely typed, so defaulting,
// validation and strategies read and fill nested fields through these instead of casting everywhere.

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `parent[key]`, created (and attached) when absent or not an object. */
export function ensureObject(parent: JsonObject, key: string): JsonObject {
  const v = parent[key];
  if (isObject(v)) return v;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

/** The object at `parent[key]`, or undefined: never creates anything. */
export function getObject(parent: unknown, key: string): JsonObject | undefined {
  if (!isObject(parent)) return undefined;
  const v = parent[key];
  return isObject(v) ? v : undefined;
}

/** The objects of the array at `parent[key]` (non-objects skipped; validation reports them). */
export function getObjects(parent: unknown, key: string): JsonObject[] {
  if (!isObject(parent)) return [];
  const v = parent[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** Sets `parent[key] = value` only when the field is absent (null counts as absent, as for Go nil). */
export function setDefault(parent: JsonObject, key: string, value: unknown): void {
  if (parent[key] === undefined || parent[key] === null) parent[key] = value;
}

/** Sets a string default where Go would see "" (absent, null or empty). */
export function setDefaultString(parent: JsonObject, key: string, value: string): void {
  if (parent[key] === undefined || parent[key] === null || parent[key] === '') parent[key] = value;
}

/** Structural equality of JSON values (key order ignored), as reflect.DeepEqual on decoded objects. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
