// The PATCH verb's body handling in one place: which Content-Types a resource accepts, parsing the
// body the way kube-apiserver does (handlers/patch.go), applying it, and checking the result is
// still an object. The API server calls patchTypeFor() then patchObject(); preconditions,
// admission, defaulting, validation and storage stay with it.

import { parse as parseYaml } from 'yaml';
import { StatusError, badRequest, invalid } from '../errors.js';
import { isObject, jsonKind, type Json, type JsonObject } from './json.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { strategicMergeSchema } from './schema.js';
import { applyServerSide } from './server-side-apply.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Patch types a kind accepts, in kube-apiserver's order; custom resources have no strategic merge. */
export function supportedPatchTypes(group: string, kind: string): PatchType[] {
  return strategicMergeSchema(group, kind) ? ['json', 'merge', 'strategic', 'apply'] : ['json', 'merge', 'apply'];
}

/** Maps a request Content-Type (parameters ignored) to a patch type, or throws kube's 415. */
export function patchTypeFor(contentType: string | undefined, group: string, kind: string): PatchType {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const type = supportedPatchTypes(group, kind).find((t) => PATCH_CONTENT_TYPES[t] === mediaType);
  if (!type) throw unsupportedPatchType(group, kind);
  return type;
}

function unsupportedPatchType(group: string, kind: string): StatusError {
  const list = supportedPatchTypes(group, kind)
    .map((t) => PATCH_CONTENT_TYPES[t])
    .join(', ');
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${list}`);
}

function parseBody(type: PatchType, body: string): unknown {
  if (type === 'apply') {
    let doc: unknown;
    try {
      doc = parseYaml(body);
    } catch (err) {
      throw badRequest(`error encoding patch: ${(err as Error).message}`);
    }
    if (!isObject(doc)) throw badRequest(`error decoding patch: json: cannot unmarshal ${jsonKind(doc)} into Go value of type map[string]interface {}`);
    return doc;
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw badRequest('invalid JSON patch');
  }
}

function requireObject(result: Json): JsonObject {
  if (isObject(result)) return result;
  throw invalid('', '', '', [
    {
      type: 'FieldValueInvalid',
      field: 'patch',
      message: `Invalid value: ${JSON.stringify(JSON.stringify(result))}: json: cannot unmarshal ${jsonKind(result)} into Go value of type map[string]interface {}`,
    },
  ]);
}

/**
 * Applies a PATCH request body of `type` to `current` (the live object as JSON) for an object of
 * `group`/`kind`. `current` may be undefined only for server-side apply, which then creates. Returns
 * a new object; throws StatusError shaped like kube-apiserver's for bad bodies and failed patches.
 */
export function patchObject(type: PatchType, current: JsonObject | undefined, body: string, target: { group: string; kind: string }): JsonObject {
  const patch = parseBody(type, body);
  const schema = strategicMergeSchema(target.group, target.kind);
  if (type === 'apply') return applyServerSide(current, patch as JsonObject, schema);
  if (!current) throw new TypeError(`patchObject: ${type} patch needs the current object`);
  switch (type) {
    case 'json':
      return requireObject(applyJsonPatch(current, patch));
    case 'merge':
      return requireObject(applyMergePatch(current, patch));
    case 'strategic':
      if (!schema) throw unsupportedPatchType(target.group, target.kind);
      return applyStrategicMergePatch(current, patch, schema);
  }
}
