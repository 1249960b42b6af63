// Strict field validation (?fieldValidation=Strict|Warn): which fields of a decoded object the Go
// types do not know, named the way kube-apiserver's strict JSON decoder names them
// (`spec.containers[0].imagePullPolicyy`), and the BadRequest it answers with.

import { badRequest, type StatusError } from '../errors.js';
import { parseApiVersion } from '../object.js';
import { elementOf, jsonFields, typeDef, typeForKind, type FieldDef, type TypeDef, type TypeRef } from './model.js';

const fieldMaps = new WeakMap<TypeDef, Map<string, FieldDef>>();

function fieldMap(def: TypeDef): Map<string, FieldDef> {
  let map = fieldMaps.get(def);
  if (!map) {
    map = new Map(jsonFields(def).map((f) => [f.name, f]));
    fieldMaps.set(def, map);
  }
  return map;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function walkRef(ref: TypeRef, value: unknown, path: string, out: string[]): void {
  const container = elementOf(ref);
  if (container?.container === 'list') {
    if (Array.isArray(value)) value.forEach((item, i) => walkRef(container.element, item, `${path}[${i}]`, out));
    return;
  }
  if (container?.container === 'map') {
    if (isObject(value)) for (const [key, item] of Object.entries(value)) walkRef(container.element, item, join(path, key), out);
    return;
  }
  const def = typeDef(ref);
  if (!def || def.special) return;
  if (def.listOf) {
    walkRef(`[]${def.listOf}`, value, path, out);
    return;
  }
  walkStruct(def, value, path, out);
}

function walkStruct(def: TypeDef, value: unknown, path: string, out: string[]): void {
  if (!isObject(value)) return;
  const fields = fieldMap(def);
  for (const [key, item] of Object.entries(value)) {
    const field = fields.get(key);
    if (field) walkRef(field.type, item, join(path, key), out);
    else out.push(join(path, key));
  }
}

/**
 * Paths of the fields of `obj` that its kind (from apiVersion/kind) does not have, in document order.
 * Kinds skiff has no schema for (custom resources) have none.
 */
export function findUnknownFields(obj: unknown): string[] {
  if (!isObject(obj) || typeof obj['apiVersion'] !== 'string' || typeof obj['kind'] !== 'string') return [];
  const { group, version } = parseApiVersion(obj['apiVersion']);
  const name = typeForKind(group, version, obj['kind']);
  const def = name ? typeDef(name) : undefined;
  if (!def) return [];
  const out: string[] = [];
  walkStruct(def, obj, '', out);
  return out;
}

/** `unknown field "spec.x"`: one strict-decoding problem, also the text of a Warn-mode `Warning:` header. */
export function unknownFieldMessage(path: string): string {
  return `unknown field "${path}"`;
}

/** `duplicate field "spec.x"`, as the strict decoder reports a key given twice in one JSON object. */
export function duplicateFieldMessage(path: string): string {
  return `duplicate field "${path}"`;
}

/**
 * The 400 kube-apiserver answers a Strict create/update with:
 * `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.x"`.
 */
export function strictDecodingError(kind: string, apiVersion: string, problems: string[]): StatusError {
  const { version } = parseApiVersion(apiVersion);
  return badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${problems.join(', ')}`);
}
