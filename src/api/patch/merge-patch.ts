// RFC 7386 JSON Merge Patch (application/merge-patch+json), as evanphx/json-patch v4 implements it
// for kube-apiserver: objects merge key by key, null deletes, anything else (arrays included)
// replaces; nulls inside a newly added object are dropped. A patch that is not an object or array is
// "Invalid JSON Patch" (400); an array patch replaces the whole document, which then fails to decode
// as an object (the caller's 422).

import { badRequest } from '../errors.js';
import { clone, isObject, type Json, type JsonObject } from './json.js';

function pruneNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map((item) => (item === null ? null : pruneNulls(item)));
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, item] of Object.entries(v)) if (item !== null) out[k] = pruneNulls(item);
  return out;
}

function mergeInto(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = doc[k];
    if (cur === undefined || cur === null || !isObject(cur)) {
      doc[k] = pruneNulls(v);
    } else if (isObject(v)) {
      mergeInto(cur, v);
    } else {
      doc[k] = clone(v);
    }
  }
}

/** Applies a merge patch to a copy of `doc`; `doc` is not modified. */
export function applyMergePatch(doc: JsonObject, patch: unknown): Json {
  if (Array.isArray(patch)) return pruneNulls(patch as Json);
  if (!isObject(patch)) throw badRequest('Invalid JSON Patch');
  const out = clone(doc);
  mergeInto(out, patch);
  return out;
}
