// The type model of every built-in Kubernetes type skiff serves: fields with their JSON names, Go
// shapes (pointer, omitempty, inline), protobuf field numbers, doc comments and the OpenAPI markers
// (patch strategy, list type, enums). It is generated from kubernetes/api's Go types by
// scripts/gen-k8s-types.ts into types.gen.ts; OpenAPI documents, unknown-field detection and the
// protobuf codec are all derived from this one table.

import { TYPES } from './types.gen.js';

/**
 * A type reference: a scalar (`string`, `bool`, `int32`, `int64`, `float64`, `bytes`), a list
 * (`[]` + ref), a map with string keys (`{}` + ref), or a definition name such as
 * `io.k8s.api.core.v1.PodSpec`.
 */
export type TypeRef = string;

/** Types whose JSON and protobuf forms are hand-written in Kubernetes rather than derived from fields. */
export type SpecialType = 'Time' | 'MicroTime' | 'Duration' | 'Quantity' | 'IntOrString' | 'RawExtension' | 'FieldsV1';

export interface FieldDef {
  /** JSON name; '' for an inlined (embedded) struct whose fields appear in the parent. */
  name: string;
  type: TypeRef;
  /** Protobuf field number; absent for fields not carried in protobuf (TypeMeta). */
  proto?: number;
  description?: string;
  omitempty?: boolean;
  /** A Go pointer: present-but-zero differs from absent. */
  pointer?: boolean;
  required?: boolean;
  enum?: string[];
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: string;
  listMapKeys?: string[];
  mapType?: string;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface TypeDef {
  description?: string;
  /** Struct fields in declaration order. */
  fields?: FieldDef[];
  /** A named slice type: a JSON array, in protobuf a message whose field 1 repeats the items. */
  listOf?: TypeRef;
  special?: SpecialType;
  /** Set on top-level kinds: the group/version/kinds this type is served as. */
  gvk?: GroupVersionKind[];
  /** `+structType=atomic`: the struct is replaced as a whole by server-side apply. */
  structType?: string;
}

export interface TypeTable {
  types: Record<string, TypeDef>;
}

const table = TYPES as TypeTable;

export function typeDef(name: string): TypeDef | undefined {
  return table.types[name];
}

export function allTypeNames(): string[] {
  return Object.keys(table.types);
}

const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

let kindIndex: Map<string, string> | undefined;

/**
 * The definition of the type served as group/version/kind. Options and Status kinds of meta/v1
 * (DeleteOptions, Status, …) are accepted in every group-version, as kube-apiserver's scheme does.
 */
export function typeForKind(group: string, version: string, kind: string): string | undefined {
  if (!kindIndex) {
    kindIndex = new Map();
    for (const [name, def] of Object.entries(table.types)) {
      for (const gvk of def.gvk ?? []) kindIndex.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
    }
  }
  const direct = kindIndex.get(`${group}/${version}/${kind}`);
  if (direct) return direct;
  const meta = `${META_V1}${kind}`;
  return table.types[meta]?.gvk ? meta : undefined;
}

/** Splits a list or map reference into its element reference, or undefined for a named type/scalar. */
export function elementOf(ref: TypeRef): { container: 'list' | 'map'; element: TypeRef } | undefined {
  if (ref.startsWith('[]')) return { container: 'list', element: ref.slice(2) };
  if (ref.startsWith('{}')) return { container: 'map', element: ref.slice(2) };
  return undefined;
}

export const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'float64', 'bytes']);

/** The JSON-visible fields of a struct, with inlined structs flattened in declaration order. */
export function jsonFields(def: TypeDef): FieldDef[] {
  const out: FieldDef[] = [];
  for (const field of def.fields ?? []) {
    if (field.name) {
      out.push(field);
      continue;
    }
    const inner = table.types[field.type];
    if (inner) out.push(...jsonFields(inner));
  }
  return out;
}
