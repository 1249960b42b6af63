// Kubernetes' protobuf object encoding (kubectl >= 1.32 POSTs it for typed-client commands):
// the 4-byte magic `k8s\0`, then a runtime.Unknown {1 typeMeta {1 apiVersion, 2 kind}, 2 raw,
// 3 contentEncoding, 4 contentType} whose raw bytes are the gogo-protobuf message of the kind, laid
// out by the protobuf tags of kubernetes/api's Go types (the type model in src/api/openapi).
//
// Decoding yields the JSON object kube-apiserver would have decoded: Go's zero-value rules apply, so
// a zero scalar that gogo always writes for a plain field is dropped when the field is `omitempty`,
// while a pointer field keeps an explicit zero (`replicas: 0` stays 0 and is not defaulted to 1).

import { badRequest, StatusError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { parseApiVersion } from '../object.js';
import { elementOf, typeDef, typeForKind, type FieldDef, type TypeDef, type TypeRef } from '../openapi/index.js';
import { ProtoError, ProtoReader, ProtoWriter, toInt32, toInt64, WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT } from './wire.js';
import { formatDuration, formatTime, parseDuration, parseTime } from './time.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export function hasProtobufMagic(body: Uint8Array): boolean {
  return body.length >= 4 && MAGIC.equals(body.subarray(0, 4));
}

type Json = Record<string, unknown>;

const protoIndexes = new WeakMap<TypeDef, Map<number, FieldDef>>();

function protoIndex(def: TypeDef): Map<number, FieldDef> {
  let index = protoIndexes.get(def);
  if (!index) {
    index = new Map((def.fields ?? []).filter((f) => f.proto !== undefined).map((f) => [f.proto!, f]));
    protoIndexes.set(def, index);
  }
  return index;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new ProtoError(`wire type ${actual} where ${what} needs ${expected}`);
}

/** One scalar or message value of type `ref` at the reader's position (already past the tag). */
function readValue(reader: ProtoReader, wire: number, ref: TypeRef): unknown {
  switch (ref) {
    case 'string':
      expectWire(wire, WIRE_BYTES, ref);
      return utf8.decode(reader.bytes());
    case 'bytes':
      expectWire(wire, WIRE_BYTES, ref);
      return Buffer.from(reader.bytes()).toString('base64');
    case 'bool':
      expectWire(wire, WIRE_VARINT, ref);
      return reader.varint() !== 0n;
    case 'int32':
      expectWire(wire, WIRE_VARINT, ref);
      return toInt32(reader.varint());
    case 'int64':
      expectWire(wire, WIRE_VARINT, ref);
      return toInt64(reader.varint());
    case 'float64':
      expectWire(wire, WIRE_FIXED64, ref);
      return Buffer.from(reader.fixed64()).readDoubleLE(0);
  }
  expectWire(wire, WIRE_BYTES, ref);
  const bytes = reader.bytes();
  const def = typeDef(ref);
  if (!def) throw new ProtoError(`no type ${ref}`);
  return decodeNamed(bytes, def);
}

function decodeNamed(bytes: Uint8Array, def: TypeDef): unknown {
  if (def.listOf) {
    const items: unknown[] = [];
    const reader = new ProtoReader(bytes);
    while (!reader.done()) {
      const { field, wire } = reader.tag();
      if (field === 1) items.push(readValue(reader, wire, def.listOf));
      else reader.skip(wire);
    }
    return items;
  }
  if (def.special) return decodeSpecial(bytes, def.special);
  return decodeMessage(bytes, def);
}

/** The few small messages Kubernetes marshals by hand; field numbers from their generated.proto. */
function decodeSpecial(bytes: Uint8Array, special: NonNullable<TypeDef['special']>): unknown {
  const reader = new ProtoReader(bytes);
  const fields = new Map<number, unknown>();
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (wire === WIRE_VARINT) fields.set(field, reader.varint());
    else if (wire === WIRE_BYTES) fields.set(field, reader.bytes());
    else reader.skip(wire);
  }
  const bigint = (n: number): bigint => (fields.get(n) as bigint | undefined) ?? 0n;
  const raw = (n: number): Uint8Array => (fields.get(n) as Uint8Array | undefined) ?? new Uint8Array();
  switch (special) {
    case 'Time':
    case 'MicroTime': {
      const seconds = toInt64(bigint(1));
      const nanos = toInt32(bigint(2));
      return seconds === 0 && nanos === 0 ? null : formatTime(seconds, nanos, special === 'MicroTime');
    }
    case 'Duration':
      return formatDuration(BigInt.asIntN(64, bigint(1)));
    case 'Quantity':
      return utf8.decode(raw(1));
    case 'IntOrString':
      return toInt64(bigint(1)) === 1 ? utf8.decode(raw(3)) : toInt32(bigint(2));
    case 'RawExtension':
    case 'FieldsV1': {
      const data = raw(1);
      if (data.length === 0) return null;
      if (hasProtobufMagic(data)) return decodeProtobufObject(data);
      return JSON.parse(utf8.decode(data)) as unknown;
    }
  }
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false || value === null;
}

function decodeMessage(bytes: Uint8Array, def: TypeDef): Json {
  const out: Json = {};
  const inlined: Json[] = [];
  const index = protoIndex(def);
  const reader = new ProtoReader(bytes);
  while (!reader.done()) {
    const { field: number, wire } = reader.tag();
    const field = index.get(number);
    if (!field) {
      reader.skip(wire);
      continue;
    }
    const container = elementOf(field.type);
    if (container?.container === 'map') {
      expectWire(wire, WIRE_BYTES, 'a map entry');
      const entry = new ProtoReader(reader.bytes());
      let key = '';
      let value: unknown = null;
      while (!entry.done()) {
        const tag = entry.tag();
        if (tag.field === 1) key = readValue(entry, tag.wire, 'string') as string;
        else if (tag.field === 2) value = readValue(entry, tag.wire, container.element);
        else entry.skip(tag.wire);
      }
      ((out[field.name] ??= {}) as Json)[key] = value;
    } else if (container?.container === 'list') {
      const list = (out[field.name] ??= []) as unknown[];
      const packable = wire === WIRE_BYTES && ['bool', 'int32', 'int64', 'float64'].includes(container.element);
      if (packable) {
        const packed = new ProtoReader(reader.bytes());
        const elementWire = container.element === 'float64' ? WIRE_FIXED64 : WIRE_VARINT;
        while (!packed.done()) list.push(readValue(packed, elementWire, container.element));
      } else list.push(readValue(reader, wire, container.element));
    } else if (!field.name) {
      inlined.push(readValue(reader, wire, field.type) as Json);
    } else {
      const value = readValue(reader, wire, field.type);
      // Go's encoding/json drops zero plain fields tagged omitempty; pointers keep an explicit zero.
      if (isZero(value) && field.omitempty && !field.pointer) delete out[field.name];
      else if (value === null && typeDef(field.type)?.special) delete out[field.name];
      else out[field.name] = value;
    }
  }
  for (const fields of inlined) Object.assign(out, fields);
  return out;
}

function decodeError(message: string): StatusError {
  return badRequest(`the object provided is unrecognized: ${message}`);
}

/**
 * Decodes a `k8s\0`-prefixed protobuf body into the JSON object it stands for (apiVersion and kind
 * from the envelope first). Throws a 400 StatusError for malformed bodies and kinds skiff has no
 * type for.
 */
export function decodeProtobufObject(body: Uint8Array): KubeObject {
  if (!hasProtobufMagic(body)) throw decodeError('missing the k8s protobuf prefix');
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array();
  let contentEncoding = '';
  try {
    const reader = new ProtoReader(body.subarray(4));
    while (!reader.done()) {
      const { field, wire } = reader.tag();
      if (field === 1 && wire === WIRE_BYTES) {
        const typeMeta = new ProtoReader(reader.bytes());
        while (!typeMeta.done()) {
          const tag = typeMeta.tag();
          if (tag.field === 1) apiVersion = readValue(typeMeta, tag.wire, 'string') as string;
          else if (tag.field === 2) kind = readValue(typeMeta, tag.wire, 'string') as string;
          else typeMeta.skip(tag.wire);
        }
      } else if (field === 2 && wire === WIRE_BYTES) raw = reader.bytes();
      else if (field === 3 && wire === WIRE_BYTES) contentEncoding = utf8.decode(reader.bytes());
      else reader.skip(wire);
    }
  } catch (err) {
    throw decodeError(err instanceof Error ? err.message : String(err));
  }
  if (contentEncoding) throw decodeError(`unsupported content encoding "${contentEncoding}"`);
  const { group, version } = parseApiVersion(apiVersion);
  const name = kind ? typeForKind(group, version, kind) : undefined;
  const def = name ? typeDef(name) : undefined;
  if (!def) throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}" in scheme "skiff"`);
  try {
    return { apiVersion, kind, ...decodeMessage(raw, def) } as KubeObject;
  } catch (err) {
    // A nested object (RawExtension) already reported its own failure.
    if (err instanceof StatusError) throw err;
    throw decodeError(err instanceof Error ? err.message : String(err));
  }
}

function writeValue(w: ProtoWriter, number: number, ref: TypeRef, value: unknown): void {
  switch (ref) {
    case 'string':
      w.string(number, String(value));
      return;
    case 'bytes':
      w.bytes(number, Buffer.from(String(value), 'base64'));
      return;
    case 'bool':
      w.varint(number, value === true);
      return;
    case 'int32':
    case 'int64':
      w.varint(number, BigInt(Math.trunc(Number(value))));
      return;
    case 'float64':
      w.double(number, Number(value));
      return;
  }
  const def = typeDef(ref);
  if (!def) return;
  if (def.listOf) {
    const element = def.listOf;
    w.message(number, (inner) => {
      for (const item of value as unknown[]) writeValue(inner, 1, element, item);
    });
    return;
  }
  if (def.special) {
    w.message(number, (inner) => encodeSpecial(inner, def.special!, value));
    return;
  }
  w.message(number, (inner) => encodeMessage(inner, def, value as Json));
}

function encodeSpecial(w: ProtoWriter, special: NonNullable<TypeDef['special']>, value: unknown): void {
  switch (special) {
    case 'Time':
    case 'MicroTime': {
      const { seconds, nanos } = parseTime(String(value));
      w.varint(1, seconds).varint(2, nanos);
      return;
    }
    case 'Duration':
      w.varint(1, parseDuration(String(value)));
      return;
    case 'Quantity':
      w.string(1, String(value));
      return;
    case 'IntOrString':
      if (typeof value === 'number') w.varint(1, 0).varint(2, value).string(3, '');
      else w.varint(1, 1).varint(2, 0).string(3, String(value));
      return;
    case 'RawExtension':
    case 'FieldsV1':
      w.bytes(1, Buffer.from(JSON.stringify(value)));
      return;
  }
}

function encodeMessage(w: ProtoWriter, def: TypeDef, obj: Json): void {
  for (const field of def.fields ?? []) {
    if (field.proto === undefined) continue;
    if (!field.name) {
      const inner = typeDef(field.type);
      if (inner) w.message(field.proto, (sub) => encodeMessage(sub, inner, obj));
      continue;
    }
    const value = obj[field.name];
    if (value === undefined || value === null) continue;
    const container = elementOf(field.type);
    if (container?.container === 'list') {
      for (const item of value as unknown[]) writeValue(w, field.proto, container.element, item);
    } else if (container?.container === 'map') {
      for (const [key, item] of Object.entries(value as Json)) {
        w.message(field.proto, (entry) => {
          entry.string(1, key);
          if (item !== null && item !== undefined) writeValue(entry, 2, container.element, item);
        });
      }
    } else writeValue(w, field.proto, field.type, value);
  }
}

/** Encodes a JSON object of a built-in kind as `k8s\0` + runtime.Unknown, for clients that only accept protobuf. */
export function encodeProtobufObject(obj: KubeObject): Buffer {
  const { group, version } = parseApiVersion(obj.apiVersion);
  const name = typeForKind(group, version, obj.kind);
  const def = name ? typeDef(name) : undefined;
  if (!def) throw new Error(`no protobuf type for ${obj.apiVersion} ${obj.kind}`);
  const raw = new ProtoWriter();
  encodeMessage(raw, def, obj);
  const envelope = new ProtoWriter()
    .message(1, (typeMeta) => typeMeta.string(1, obj.apiVersion).string(2, obj.kind))
    .bytes(2, raw.finish())
    .string(3, '')
    .string(4, '');
  return Buffer.concat([MAGIC, envelope.finish()]);
}
