// Server-side apply (application/apply-patch+yaml, `kubectl apply --server-side`), simplified.
//
// kube-apiserver tracks which manager owns every field (managedFields) so that a field dropped
// from a manager's applied configuration is removed and a field owned by another manager is a
// conflict. skiff does not track ownership: the applied configuration is merged into the live
// object by the same rules as a strategic merge patch — objects merge, lists with a merge key merge
// item by item in the applied order (server-only items keep their place), other lists and scalars
// are replaced — and nulls in the applied configuration are ignored. So applying twice is
// idempotent and other managers' fields survive, but removing a field from the configuration does
// not delete it from the object, and there are no apply conflicts.

import { clone, isObject, type Json, type JsonObject } from './json.js';
import { schemaFromTable, type PatchSchema } from './schema.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

/** For custom resources: every object merges, every list is atomic. */
const NO_METADATA = schemaFromTable('Object', {});

function dropNulls(v: Json): Json {
  if (Array.isArray(v)) return v.filter((item) => item !== null).map(dropNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, item] of Object.entries(v)) if (item !== null && !k.startsWith('$')) out[k] = dropNulls(item);
  return out;
}

/** Adds `$setElementOrder/<list>` for every merging list so the merge keeps the applied order. */
function withElementOrder(value: JsonObject, schema: PatchSchema): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const { schema: sub, meta } = schema.field(key);
    if (isObject(v)) {
      out[key] = withElementOrder(v, sub);
    } else if (Array.isArray(v) && v.length > 0 && (meta.strategy ?? '').split(',').includes('merge')) {
      const mergeKey = meta.mergeKey;
      out[key] = mergeKey ? v.map((item) => (isObject(item) ? withElementOrder(item, sub) : item)) : v;
      out[`$setElementOrder/${key}`] = mergeKey ? v.filter(isObject).map((item) => ({ [mergeKey]: item[mergeKey] })) : v;
    } else {
      out[key] = v;
    }
  }
  return out;
}

/**
 * The object that results from applying `applied` (the parsed configuration) over `live`, or the
 * configuration itself when nothing exists yet. `schema` is the kind's strategic-merge schema, or
 * undefined for custom resources. Neither input is modified.
 */
export function applyServerSide(live: JsonObject | undefined, applied: JsonObject, schema: PatchSchema | undefined): JsonObject {
  const config = dropNulls(applied) as JsonObject;
  if (!live) return clone(config);
  const s = schema ?? NO_METADATA;
  return applyStrategicMergePatch(live, withElementOrder(config, s), s);
}
