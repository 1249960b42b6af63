export type { Json, JsonObject } from './json.js';
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS, type JsonPatchOperation } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge.js';
export { strategicMergeSchema, schemaFromTable, type PatchSchema, type FieldPatchMeta } from './schema.js';
export { applyServerSide } from './server-side-apply.js';
export { patchObject, patchTypeFor, supportedPatchTypes, PATCH_CONTENT_TYPES, type PatchType } from './patch-object.js';
