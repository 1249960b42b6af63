// JSON Schemas of the built-in types as kube-apiserver publishes them: OpenAPI v3 component schemas
// (`allOf: [{$ref}]` for named types) and Swagger 2.0 definitions (`$ref`), with the Kubernetes
// vendor extensions kubectl reads (group-version-kind, patch strategy, list type).

import { elementOf, jsonFields, typeDef, type FieldDef, type TypeDef, type TypeRef } from './model.js';

export type Schema = Record<string, unknown>;

export type Dialect = 'v2' | 'v3';

const REF_PREFIX: Record<Dialect, string> = { v2: '#/definitions/', v3: '#/components/schemas/' };

const SCALAR_SCHEMAS: Record<string, Schema> = {
  string: { type: 'string' },
  bool: { type: 'boolean' },
  int32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  float64: { type: 'number', format: 'double' },
  bytes: { type: 'string', format: 'byte' },
};

function refSchema(name: string, dialect: Dialect): Schema {
  const ref = { $ref: `${REF_PREFIX[dialect]}${name}` };
  if (dialect === 'v2') return ref;
  // kube-openapi's v3 wraps references so siblings (description, default) stay legal.
  const def = typeDef(name);
  return def?.fields ? { default: {}, allOf: [ref] } : { allOf: [ref] };
}

/** The schema of a value of type `ref` (without description). */
export function typeSchema(ref: TypeRef, dialect: Dialect): Schema {
  const scalar = SCALAR_SCHEMAS[ref];
  if (scalar) return { ...scalar };
  const container = elementOf(ref);
  if (container?.container === 'list') return { type: 'array', items: typeSchema(container.element, dialect) };
  if (container?.container === 'map') return { type: 'object', additionalProperties: typeSchema(container.element, dialect) };
  const def = typeDef(ref);
  if (def?.listOf) return { type: 'array', items: typeSchema(def.listOf, dialect) };
  return refSchema(ref, dialect);
}

function fieldSchema(field: FieldDef, dialect: Dialect): Schema {
  const base = typeSchema(field.type, dialect);
  const schema: Schema = {};
  if (field.description) schema['description'] = field.description;
  Object.assign(schema, base);
  if (field.enum) schema['enum'] = field.enum;
  if (field.patchStrategy) schema['x-kubernetes-patch-strategy'] = field.patchStrategy;
  if (field.patchMergeKey) schema['x-kubernetes-patch-merge-key'] = field.patchMergeKey;
  if (field.listType) schema['x-kubernetes-list-type'] = field.listType;
  if (field.listMapKeys) schema['x-kubernetes-list-map-keys'] = field.listMapKeys;
  if (field.mapType) schema['x-kubernetes-map-type'] = field.mapType;
  return schema;
}

const SPECIAL_SCHEMAS: Record<string, Schema> = {
  Time: { type: 'string', format: 'date-time' },
  MicroTime: { type: 'string', format: 'date-time' },
  Duration: { type: 'string' },
  Quantity: { type: 'string' },
  IntOrString: { type: 'string', format: 'int-or-string' },
  RawExtension: { type: 'object' },
  FieldsV1: { type: 'object' },
};

/** v3 describes the union types with oneOf (OpenAPIV3OneOfTypes), which kubectl explain names by type. */
const SPECIAL_SCHEMAS_V3: Record<string, Schema> = {
  Quantity: { oneOf: [{ type: 'string' }, { type: 'number' }] },
  IntOrString: { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
};

/** The definition (v2) / component schema (v3) of a named type. */
export function definitionSchema(def: TypeDef, dialect: Dialect): Schema {
  const schema: Schema = {};
  if (def.description) schema['description'] = def.description;
  if (def.special) return { ...schema, ...((dialect === 'v3' && SPECIAL_SCHEMAS_V3[def.special]) || SPECIAL_SCHEMAS[def.special]) };
  schema['type'] = 'object';
  const fields = jsonFields(def);
  const required = fields.filter((f) => f.required).map((f) => f.name);
  if (required.length) schema['required'] = required;
  const properties: Record<string, Schema> = {};
  for (const field of [...fields].sort((a, b) => (a.name < b.name ? -1 : 1))) properties[field.name] = fieldSchema(field, dialect);
  if (fields.length) schema['properties'] = properties;
  if (def.gvk) schema['x-kubernetes-group-version-kind'] = def.gvk;
  if (def.structType) schema['x-kubernetes-map-type'] = def.structType;
  return schema;
}

/** The named types `roots` refer to, transitively (roots included), in sorted order. */
export function reachableTypes(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const visit = (ref: TypeRef): void => {
    const container = elementOf(ref);
    if (container) return visit(container.element);
    const def = typeDef(ref);
    if (!def || seen.has(ref)) return;
    seen.add(ref);
    if (def.listOf) visit(def.listOf);
    for (const field of def.fields ?? []) visit(field.type);
  };
  for (const root of roots) visit(root);
  return [...seen].filter((name) => !typeDef(name)?.listOf).sort();
}
