// ObjectMeta and label-selector validation (k8s.io/apimachinery/pkg/api/validation/objectmeta.go and
// pkg/apis/meta/v1/validation), shared by every kind.

import type { FieldError } from '../errors.js';
import type { LabelSelector } from '../labels.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, type NameValidator } from '../names.js';
import { deepEqual, getObject, getObjects, isObject, type JsonObject } from '../json.js';
import { child, forbidden, GoValue, goQuote, goStringMap, goStringSlice, index, invalidValue, key, required, tooLong, FIELD_IMMUTABLE } from './field.js';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

function sortedEntries(m: unknown): [string, unknown][] {
  return isObject(m) ? Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
}

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of sortedEntries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(invalidValue(path, k, msg));
    // kube refuses non-strings while decoding; without typed decoding, refuse them here.
    if (typeof v !== 'string') errs.push(invalidValue(key(path, k), v, 'must be a string'));
    else for (const msg of isValidLabelValue(v)) errs.push(invalidValue(path, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of sortedEntries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalidValue(path, k, msg));
    if (typeof v !== 'string') errs.push(invalidValue(key(path, k), v, 'must be a string'));
    size += k.length + String(v).length;
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateNonnegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalidValue(path, value, 'must be greater than or equal to 0')] : [];
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  (Array.isArray(refs) ? refs.filter(isObject) : []).forEach((ref, i) => {
    const p = index(path, i);
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version) errs.push(invalidValue(child(p, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(invalidValue(child(p, 'kind'), ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(invalidValue(child(p, 'name'), ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(invalidValue(child(p, 'uid'), ref.uid ?? '', 'uid must not be empty'));
    if (ref.controller === true) controllers.push(`${String(ref.kind)}/${String(ref.name)}`);
  });
  if (controllers.length > 1)
    errs.push(invalidValue(path, new GoValue(`[]v1.OwnerReference{...}`), `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`));
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = Array.isArray(finalizers) ? finalizers.map(String) : [];
  for (const f of list) for (const msg of isQualifiedName(f)) errs.push(invalidValue(path, f, msg));
  if (list.includes('orphan') && list.includes('foregroundDeletion'))
    errs.push(invalidValue(path, goStringSlice(list), 'finalizer foregroundDeletion and orphan cannot be both set'));
  return errs;
}

/** ValidateObjectMeta: name (or generateName), namespace presence, labels, annotations, owners, finalizers. */
export function validateObjectMeta(meta: JsonObject, namespaced: boolean, nameFn: NameValidator, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const generateName = typeof meta.generateName === 'string' ? meta.generateName : '';
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (generateName) for (const msg of nameFn(generateName, true)) errs.push(invalidValue(child(path, 'generateName'), generateName, msg));
  if (!name) errs.push(required(child(path, 'name'), 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(invalidValue(child(path, 'name'), name, msg));
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  if (namespaced) {
    if (!namespace) errs.push(required(child(path, 'namespace')));
    else for (const msg of isDNS1123Label(namespace)) errs.push(invalidValue(child(path, 'namespace'), namespace, msg));
  } else if (namespace) {
    errs.push(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(meta.generation, child(path, 'generation')));
  errs.push(...validateLabels(meta.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, child(path, 'finalizers')));
  return errs;
}

/** ValidateImmutableField: `Invalid value: <new>: field is immutable`, `goValue` rendering the new value. */
export function validateImmutable(newValue: unknown, oldValue: unknown, path: string, goValue: (v: unknown) => unknown = (v) => v): FieldError[] {
  return deepEqual(newValue, oldValue) ? [] : [invalidValue(path, goValue(newValue), FIELD_IMMUTABLE)];
}

/** ValidateObjectMetaUpdate: identity fields are immutable, resourceVersion is required. */
export function validateObjectMetaUpdate(newMeta: JsonObject, oldMeta: JsonObject, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (oldMeta.deletionTimestamp) {
    const oldFinalizers = new Set(Array.isArray(oldMeta.finalizers) ? oldMeta.finalizers : []);
    const added = (Array.isArray(newMeta.finalizers) ? newMeta.finalizers : []).filter((f) => !oldFinalizers.has(f));
    if (added.length) errs.push(forbidden(child(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added.map(String).sort()).text}`));
  }
  if (!newMeta.resourceVersion) errs.push(invalidValue(child(path, 'resourceVersion'), newMeta.resourceVersion ?? '', 'must be specified for an update'));
  if (typeof newMeta.generation === 'number' && typeof oldMeta.generation === 'number' && newMeta.generation < oldMeta.generation)
    errs.push(invalidValue(child(path, 'generation'), newMeta.generation, 'must not be decremented'));
  // Absent and empty are the same to Go ("" / nil), so compare them as equal.
  const norm = (v: unknown): unknown => (v === undefined || v === '' ? null : v);
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    if (!deepEqual(norm(newMeta[f]), norm(oldMeta[f]))) errs.push(invalidValue(child(path, f), newMeta[f] ?? '', FIELD_IMMUTABLE));
  }
  errs.push(...validateLabels(newMeta.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(newMeta.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(newMeta.ownerReferences, child(path, 'ownerReferences')));
  return errs;
}

/** metav1 validation.ValidateLabelSelector. */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  if (!isObject(selector)) return [];
  const errs: FieldError[] = [];
  getObjects(selector, 'matchExpressions').forEach((expr, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = Array.isArray(expr.values) ? expr.values : [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalidValue(child(p, 'operator'), expr.operator ?? '', 'not a valid selector operator'));
    }
    const k = typeof expr.key === 'string' ? expr.key : '';
    for (const msg of isQualifiedName(k)) errs.push(invalidValue(child(p, 'key'), k, msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(String(v))) errs.push(invalidValue(index(child(p, 'values'), j), String(v), msg));
    });
  });
  errs.push(...validateLabels(getObject(selector, 'matchLabels'), child(path, 'matchLabels')));
  return errs;
}

/** A metav1.LabelSelector as %#v prints it (what immutable-selector errors show). */
export function goLabelSelector(selector: unknown): GoValue {
  if (!isObject(selector)) return new GoValue('null');
  const s = selector as LabelSelector;
  const exprs = s.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
        .map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(e.key ?? '')}, Operator:${goQuote(e.operator ?? '')}, Values:${goStringSlice(e.values).text}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoValue(`v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels).text}, MatchExpressions:${exprs}}`);
}

