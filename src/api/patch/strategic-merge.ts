// Strategic merge patch (application/strategic-merge-patch+json) as kube-apiserver applies it
// (k8s.io/apimachinery/pkg/util/strategicpatch StrategicMergeMapPatch, i.e. mergeMap with
// MergeParallelList and IgnoreUnmatchedNulls): objects merge, null deletes, lists tagged
// patchStrategy=merge merge by their patchMergeKey (lists of scalars as sets), other lists are
// replaced, and the directives `$patch: replace|delete`, `$retainKeys`, `$setElementOrder/<list>` and
// `$deleteFromPrimitiveList/<list>` are honoured. This is what `kubectl apply` (client-side),
// `edit`, `set image`, `rollout pause|resume|restart`, `drain` and `patch --type=strategic` send.
//
// Ordering follows kube exactly: without $setElementOrder new list items come first, then the
// existing ones in their live order; with it, the listed items take the given order and server-only
// items keep their relative place.

import { StatusError, badRequest } from '../errors.js';
import { clone, isObject, jsonKind, type Json, type JsonObject } from './json.js';
import { patchDoesNotApply } from './json-patch.js';
import type { PatchSchema } from './schema.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

/** Errors kube-apiserver turns into 400 (interpretStrategicMergePatchError). */
const badPatch = {
  primitiveList: () => badRequest('invalid patch format of primitive list'),
  retainKeys: () => badRequest('invalid patch format of retainKeys'),
  setElementOrder: () => badRequest('invalid patch format of setElementOrder list'),
};

/** Any other failure of the merge reaches the client as a 500 carrying the merge's own message. */
function mergeFailed(message: string): StatusError {
  return new StatusError(500, 'InternalError', message);
}

function describe(v: unknown): string {
  return JSON.stringify(v);
}

function noMergeKey(m: unknown, key: string): StatusError {
  return mergeFailed(`map: ${describe(m)} does not contain declared merge key: ${key}`);
}

function strategyOf(meta: { strategy?: string }): string {
  const strategies = (meta.strategy ?? '').split(',');
  if (strategies.length === 1) return strategies[0] === 'retainKeys' ? '' : strategies[0];
  if (strategies.length === 2 && strategies[0] === 'retainKeys') return strategies[1];
  if (strategies.length === 2 && strategies[1] === 'retainKeys') return strategies[0];
  throw mergeFailed(`unexpected patch strategy: ${meta.strategy}`);
}

/** Element "type" of merged lists: all elements must agree, lists of lists are refused (422). */
function elementKind(...lists: Json[][]): string {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = jsonKind(v);
      if (kind === undefined) {
        if (k === 'array') throw patchDoesNotApply();
        kind = k;
      } else if (kind !== k) {
        throw mergeFailed(`list element types are not identical: ${describe(lists)}`);
      }
    }
  }
  if (kind === undefined) throw mergeFailed('no elements in any of the given slices');
  return kind;
}

/** The value identifying an item: its merge key for maps, itself for scalars. */
function identity(item: Json, mergeKey: string, kind: string): Json | undefined {
  return kind === 'object' ? (isObject(item) ? item[mergeKey] : undefined) : item;
}

function indexIn(list: Json[], item: Json, mergeKey: string, kind: string): number {
  const id = identity(item, mergeKey, kind);
  return list.findIndex((v) => identity(v, mergeKey, kind) === id);
}

function requireMergeKeys(mergeKey: string, ...lists: Json[][]): void {
  for (const list of lists) for (const item of list) if (!isObject(item) || !(mergeKey in item)) throw noMergeKey(item, mergeKey);
}

/** Sorts `items` by their position in `order`; items absent from `order` keep their relative place at the end. */
function sortByOrder(items: Json[], order: Json[], mergeKey: string, kind: string): Json[] {
  let toSort = items;
  let deletions: Json[] = [];
  if (kind === 'object') {
    requireMergeKeys(mergeKey, items, order);
    toSort = items.filter((v) => (v as JsonObject)[DIRECTIVE] !== 'delete');
    deletions = items.filter((v) => (v as JsonObject)[DIRECTIVE] === 'delete');
  }
  const position = (v: Json) => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const sorted = toSort.map((v, i) => ({ v, i, p: position(v) })).sort((a, b) => a.p - b.p || a.i - b.i);
  return [...sorted.map((e) => e.v), ...deletions];
}

/**
 * Interleaves server-only items (`left`) into patch items (`right`): a server-only item goes first
 * only when the live order puts it before the next patch item; otherwise the patch item does.
 */
function mergeSorted(left: Json[], right: Json[], serverOrder: Json[], mergeKey: string, kind: string): Json[] {
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, kind: string): Json[] {
  const p = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const s = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSorted(s, p, serverOrder, mergeKey, kind);
}

/** Splits `merged` into the items present in `by` and the server-only rest. */
function partition(merged: Json[], by: Json[], mergeKey: string): { inPatch: Json[]; serverOnly: Json[] } {
  const inPatch: Json[] = [];
  const serverOnly: Json[] = [];
  if (!mergeKey) {
    for (const v of merged) (by.includes(v) ? inPatch : serverOnly).push(v);
    return { inPatch, serverOnly };
  }
  for (const v of merged) {
    if (!isObject(v) || !(mergeKey in v)) throw noMergeKey(v, mergeKey);
    const found = by.some((b) => isObject(b) && b[mergeKey] === v[mergeKey]);
    (found ? inPatch : serverOnly).push(v);
  }
  return { inPatch, serverOnly };
}

/** Removes `$patch` directives: a map carrying one is dropped entirely, as kube does for new values. */
function removeDirectives(v: Json): { value: Json; keep: boolean } {
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const item of v) {
      const r = removeDirectives(item);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  if (isObject(v)) {
    if (DIRECTIVE in v) return { value: null, keep: false };
    for (const k of Object.keys(v)) {
      const r = removeDirectives(v[k]);
      if (r.keep) v[k] = r.value;
      else delete v[k];
    }
  }
  return { value: v, keep: true };
}

function discardNulls(v: Json): void {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  }
}

function setNewValue(original: JsonObject, key: string, patchValue: Json): void {
  discardNulls(patchValue);
  const r = removeDirectives(patchValue);
  if (r.keep) original[key] = r.value;
  else delete original[key];
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!(RETAIN_KEYS in patch)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badPatch.retainKeys();
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retain.includes(k)) throw badPatch.retainKeys();
  }
  for (const k of Object.keys(original)) if (!retain.includes(k)) delete original[k];
}

/** `$setElementOrder/<list>` must list the patch's items in the same relative order. */
function validateSetOrder(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete')) : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isObject(items[p]) && DIRECTIVE in (items[p] as JsonObject)) {
      p++;
      continue;
    }
    let same: boolean;
    if (!mergeKey) same = items[p] === order[o];
    else {
      if (!isObject(items[p]) || !(mergeKey in (items[p] as JsonObject))) throw noMergeKey(items[p], mergeKey);
      if (!isObject(order[o]) || !(mergeKey in (order[o] as JsonObject))) throw noMergeKey(order[o], mergeKey);
      same = (items[p] as JsonObject)[mergeKey] === (order[o] as JsonObject)[mergeKey];
    }
    if (same) p++;
    o++;
  }
  if (p < items.length) {
    throw mergeFailed(`The order in patch list:\n${describe(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${describe(order)}\n`);
  }
}

function listKey(directiveKey: string, prefix: string, bad: () => StatusError): string {
  const slash = directiveKey.indexOf('/');
  if (slash < 0 || directiveKey.slice(0, slash) !== prefix) throw bad();
  return directiveKey.slice(slash + 1);
}

/** Processes every `$setElementOrder/<list>` of `patch` together with its list, removing both from `patch`. */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: PatchSchema): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw mergeFailed(`expected a []interface {}, but received a ${jsonKind(order)}`);
    const key = listKey(directiveKey, SET_ELEMENT_ORDER, badPatch.setElementOrder);
    const originalList = original[key];
    const patchList = patch[key];
    const hasOriginal = originalList !== undefined;
    const hasPatch = patchList !== undefined;
    if (hasOriginal && !Array.isArray(originalList)) throw mergeFailed(`expected a []interface {}, but received a ${jsonKind(originalList)}`);
    if (hasPatch && !Array.isArray(patchList)) throw mergeFailed(`expected a []interface {}, but received a ${jsonKind(patchList)}`);
    if (!hasOriginal && !hasPatch) continue;
    const { schema: elementSchema, meta } = schema.field(key);
    const strategy = strategyOf(meta);
    const mergeKey = meta.mergeKey ?? '';
    validateSetOrder((patchList as Json[] | undefined) ?? [], order, mergeKey);

    let merged: Json[];
    if (!hasPatch) merged = originalList as Json[];
    else if (!hasOriginal) merged = removeDirectives(patchList).value as Json[];
    else merged = mergeList(originalList as Json[], patchList as Json[], elementSchema, strategy, mergeKey, false);

    const { inPatch, serverOnly } = partition(merged, order, mergeKey);
    const kind = elementKind((originalList as Json[] | undefined) ?? [], (patchList as Json[] | undefined) ?? []);
    original[key] = normalizeOrder(inPatch, serverOnly, order, (originalList as Json[] | undefined) ?? [], mergeKey, kind);
    delete patch[key];
  }
}

function mergeObject(original: JsonObject, patch: JsonObject, schema: PatchSchema): JsonObject {
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return patch;
    }
    if (directive === 'delete') return {};
    throw mergeFailed(`unknown patch type: ${String(directive)} in map: ${describe(patch)}`);
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);

  for (const [patchKey, patchValue] of Object.entries(patch)) {
    let key = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = listKey(patchKey, DELETE_FROM_PRIMITIVE_LIST, badPatch.primitiveList);
      isDeleteList = true;
    }
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const current = original[key];
    if (current === undefined || jsonKind(current) !== jsonKind(patchValue)) {
      if (!isDeleteList) setNewValue(original, key, patchValue);
      continue;
    }
    if (isObject(current)) {
      const { schema: sub, meta } = schema.field(key);
      original[key] = strategyOf(meta) === 'replace' ? patchValue : mergeObject(current, patchValue as JsonObject, sub);
    } else if (Array.isArray(current)) {
      const { schema: sub, meta } = schema.field(key);
      original[key] = mergeList(current, patchValue as Json[], sub, strategyOf(meta), meta.mergeKey ?? '', isDeleteList);
    } else {
      setNewValue(original, key, patchValue);
    }
  }
  return original;
}

function mergeList(original: Json[], patch: Json[], schema: PatchSchema, strategy: string, mergeKey: string, isDeleteList: boolean): Json[] {
  if (strategy !== 'merge' && !isDeleteList) return patch;
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  if (kind === 'object') {
    if (!mergeKey) throw mergeFailed(`cannot merge lists without merge key for ${schema.name}`);
    const { merged, base, patchItems } = mergeListOfMaps(original, patch, schema, mergeKey);
    const { inPatch, serverOnly } = partition(merged, patchItems, mergeKey);
    return normalizeOrder(inPatch, serverOnly, patchItems, base, mergeKey, kind);
  }
  if (isDeleteList) return original.filter((v) => !patch.includes(v));
  const merged: Json[] = [];
  for (const v of [...original, ...patch]) if (!merged.includes(v)) merged.push(v);
  const { inPatch, serverOnly } = partition(merged, patch, '');
  return normalizeOrder(inPatch, serverOnly, patch, original, '', kind);
}

function indexByKey(list: Json[], length: number, mergeKey: string, value: Json): number {
  for (let i = 0; i < length; i++) {
    const v = list[i];
    if (isObject(v) && mergeKey in v && v[mergeKey] === value) return i;
  }
  return -1;
}

/**
 * Merges a list of maps item by item. Handles `{$patch: delete, <key>: v}` and `{$patch: replace}`
 * items first. kube does this on Go slices that share their backing array with the caller's view
 * of the live list, and its $setElementOrder step orders by that view afterwards: deletions shift
 * the array left in place and new items fill the freed tail. `original` is mutated the same way so
 * that the resulting order is kube's.
 */
function mergeListOfMaps(original: Json[], patch: Json[], schema: PatchSchema, mergeKey: string): { merged: Json[]; base: Json[]; patchItems: Json[] } {
  let length = original.length;
  const plain: Json[] = [];
  let replace = false;
  for (const item of patch) {
    const o = item as JsonObject;
    if (!(DIRECTIVE in o)) {
      plain.push(item);
      continue;
    }
    switch (o[DIRECTIVE]) {
      case 'delete':
        if (!(mergeKey in o)) throw noMergeKey(o, mergeKey);
        for (let at = indexByKey(original, length, mergeKey, o[mergeKey]); at >= 0; at = indexByKey(original, length, mergeKey, o[mergeKey])) {
          original.copyWithin(at, at + 1, length);
          length--;
        }
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw mergeFailed('merging lists cannot yet be specified in the patch');
      default:
        throw mergeFailed(`unknown patch type: ${String(o[DIRECTIVE])} in map: ${describe(o)}`);
    }
  }
  if (replace) return { merged: plain, base: plain, patchItems: [] };

  const base = original.slice(0, length);
  let live = original;
  for (const item of plain) {
    const o = item as JsonObject;
    if (!(mergeKey in o)) throw noMergeKey(o, mergeKey);
    const at = indexByKey(live, length, mergeKey, o[mergeKey]);
    if (at >= 0) {
      live[at] = mergeObject(live[at] as JsonObject, o, schema);
      continue;
    }
    if (live === original && length < original.length) {
      live[length++] = item;
      continue;
    }
    if (live === original) live = original.slice(0, length);
    live.push(item);
    length++;
  }
  return { merged: live.slice(0, length), base, patchItems: plain };
}

/** Directive keys left in values the merge copied verbatim; typed decoding drops them in kube. */
function stripDirectives(v: Json): void {
  if (Array.isArray(v)) v.forEach(stripDirectives);
  else if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(`${SET_ELEMENT_ORDER}/`) || k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`)) delete v[k];
      else stripDirectives(v[k]);
    }
  }
}

/**
 * Applies a strategic merge patch to a copy of `doc` using `schema` (see strategicMergeSchema);
 * neither argument is modified. Throws StatusError 400 for a malformed patch or directive, 422 for
 * lists of lists and 500 (with the merge's message) for other inconsistencies, as kube-apiserver does.
 */
export function applyStrategicMergePatch(doc: JsonObject, patch: unknown, schema: PatchSchema): JsonObject {
  if (!isObject(patch)) throw badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  const out = mergeObject(clone(doc), clone(patch), schema);
  stripDirectives(out);
  return out;
}
