// /openapi/v2 in the only form kubectl 1.27 reads: gnostic's `openapi_v2.Document` protobuf
// (google/gnostic-models openapiv2/OpenAPIv2.proto). Field numbers below are that proto's. Vendor
// extensions travel as NamedAny whose `yaml` holds the value; JSON text is valid YAML.

import { openapiV2Document } from '../openapi/index.js';
import { ProtoWriter } from './wire.js';

type Json = Record<string, unknown>;

export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function vendorExtensions(w: ProtoWriter, field: number, obj: Json): void {
  for (const [key, value] of Object.entries(obj)) {
    if (!key.startsWith('x-')) continue;
    w.message(field, (named) => named.string(1, key).message(2, (any) => any.string(2, JSON.stringify(value))));
  }
}

function schema(w: ProtoWriter, s: Json): void {
  if (typeof s['$ref'] === 'string') w.string(1, s['$ref']);
  if (typeof s['format'] === 'string') w.string(2, s['format']);
  if (typeof s['description'] === 'string') w.string(4, s['description']);
  if (s['default'] !== undefined) w.message(5, (any) => any.string(2, JSON.stringify(s['default'])));
  if (s['uniqueItems'] === true) w.varint(16, true);
  for (const name of (s['required'] as string[] | undefined) ?? []) w.string(19, name);
  for (const value of (s['enum'] as unknown[] | undefined) ?? []) w.message(20, (any) => any.string(2, JSON.stringify(value)));
  const additional = s['additionalProperties'];
  if (typeof additional === 'object' && additional) w.message(21, (item) => item.message(1, (inner) => schema(inner, additional as Json)));
  if (typeof s['type'] === 'string') w.message(22, (t) => t.string(1, s['type'] as string));
  const items = s['items'];
  if (typeof items === 'object' && items) w.message(23, (item) => item.message(1, (inner) => schema(inner, items as Json)));
  for (const sub of (s['allOf'] as Json[] | undefined) ?? []) w.message(24, (inner) => schema(inner, sub));
  const properties = s['properties'] as Record<string, Json> | undefined;
  if (properties) {
    w.message(25, (props) => {
      for (const [name, value] of Object.entries(properties)) props.message(1, (named) => named.string(1, name).message(2, (inner) => schema(inner, value)));
    });
  }
  vendorExtensions(w, 31, s);
}

function parameter(w: ProtoWriter, p: Json): void {
  w.message(1, (param) => {
    if (p['in'] === 'body') {
      param.message(1, (body) => {
        if (typeof p['description'] === 'string') body.string(1, p['description']);
        body.string(2, String(p['name'])).string(3, 'body');
        if (p['required'] === true) body.varint(4, true);
        body.message(5, (inner) => schema(inner, p['schema'] as Json));
      });
      return;
    }
    param.message(2, (nonBody) => {
      // QueryParameterSubSchema (3) and PathParameterSubSchema (4) number their fields differently.
      const query = p['in'] === 'query';
      nonBody.message(query ? 3 : 4, (sub) => {
        if (p['required'] === true) sub.varint(1, true);
        sub.string(2, String(p['in']));
        if (typeof p['description'] === 'string') sub.string(3, p['description']);
        sub.string(4, String(p['name']));
        if (typeof p['type'] === 'string') sub.string(query ? 6 : 5, p['type']);
        if (p['uniqueItems'] === true) sub.varint(query ? 20 : 19, true);
      });
    });
  });
}

const METHOD_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, patch: 8 };

function operation(w: ProtoWriter, op: Json): void {
  for (const tag of (op['tags'] as string[] | undefined) ?? []) w.string(1, tag);
  if (typeof op['description'] === 'string') w.string(3, op['description']);
  if (typeof op['operationId'] === 'string') w.string(5, op['operationId']);
  for (const t of (op['produces'] as string[] | undefined) ?? []) w.string(6, t);
  for (const t of (op['consumes'] as string[] | undefined) ?? []) w.string(7, t);
  for (const p of (op['parameters'] as Json[] | undefined) ?? []) w.message(8, (item) => parameter(item, p));
  const responses = (op['responses'] as Record<string, Json> | undefined) ?? {};
  w.message(9, (rs) => {
    for (const [code, response] of Object.entries(responses)) {
      rs.message(1, (named) =>
        named.string(1, code).message(2, (value) =>
          value.message(1, (r) => {
            r.string(1, String(response['description'] ?? ''));
            if (response['schema']) r.message(2, (item) => item.message(1, (inner) => schema(inner, response['schema'] as Json)));
          }),
        ),
      );
    }
  });
  for (const s of (op['schemes'] as string[] | undefined) ?? []) w.string(10, s);
  vendorExtensions(w, 13, op);
}

/** Encodes a Swagger 2.0 document (as JSON) into gnostic's protobuf Document. */
export function encodeOpenApiV2(doc: Json): Buffer {
  const w = new ProtoWriter();
  w.string(1, String(doc['swagger']));
  const info = doc['info'] as Json;
  w.message(2, (i) => i.string(1, String(info['title'])).string(2, String(info['version'])));
  w.message(8, (paths) => {
    for (const [path, item] of Object.entries(doc['paths'] as Record<string, Json>)) {
      paths.message(2, (named) =>
        named.string(1, path).message(2, (pathItem) => {
          for (const [method, field] of Object.entries(METHOD_FIELDS)) {
            if (item[method]) pathItem.message(field, (op) => operation(op, item[method] as Json));
          }
          for (const p of (item['parameters'] as Json[] | undefined) ?? []) pathItem.message(9, (param) => parameter(param, p));
        }),
      );
    }
  });
  w.message(9, (defs) => {
    for (const [name, def] of Object.entries(doc['definitions'] as Record<string, Json>)) {
      defs.message(1, (named) => named.string(1, name).message(2, (inner) => schema(inner, def)));
    }
  });
  return w.finish();
}

let encoded: Buffer | undefined;

/** The body of `GET /openapi/v2` (memoized; the server derives its ETag from it). */
export function openapiV2Protobuf(): Buffer {
  encoded ??= encodeOpenApiV2(openapiV2Document());
  return encoded;
}
