// The one place the API server meets the object model in src/api: strategies (defaults, validation,
// generation, status handling), selectors, version conversion, patches, printers, OpenAPI and
// protobuf decoding. Handlers call only these functions, so the model can grow behind them.
import type { FieldError, KubeObject, ListMeta, ResourceInfo } from '../api/index.js';
import {
  applyDefaults as applyApiDefaults,
  badRequest,
  convertForStorage,
  convertFromStorage,
  decodeProtobufObject,
  duplicateFieldMessage,
  encodeProtobufObject,
  fieldSelectorFor,
  findDuplicateFields,
  findUnknownFields,
  formatLabelSelector,
  objectFields,
  openapiV2Protobuf,
  openapiV3GroupVersion,
  openapiV3Paths,
  parseSelector,
  patchObject,
  patchTypeFor,
  printTable,
  selectorFromSet,
  SelectorParseError,
  strategyFor,
  unknownFieldMessage,
  type LabelSelector,
  type PatchType,
  type Selector,
  type Table,
} from '../api/index.js';

export type Matcher = (obj: KubeObject) => boolean;

const matchAll: Matcher = () => true;

/** Label selector in kubectl's string syntax → a matcher over objects' metadata.labels (400 on bad syntax). */
export function labelSelector(text: string | null): Matcher {
  if (!text) return matchAll;
  let selector: Selector;
  try {
    selector = parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorParseError) throw badRequest(err.message);
    throw err;
  }
  return selector.empty() ? matchAll : (obj) => selector.matches(obj.metadata.labels);
}

/** Field selector → matcher; also reports a `metadata.name=` equality so lookups can go by key. */
export function fieldSelector(info: ResourceInfo, text: string | null): { matches: Matcher; name?: string } {
  if (!text) return { matches: matchAll };
  const selector = fieldSelectorFor(info, text);
  if (selector.empty()) return { matches: matchAll };
  return { matches: (obj) => selector.matches(objectFields(info, obj)), name: selector.requiresExactMatch('metadata.name') };
}

/** kube's defaulting of a decoded object (SetDefaults_*), done before admission. */
export function applyDefaults(info: ResourceInfo, obj: KubeObject): void {
  applyApiDefaults(info, obj);
}

/** The resource's create rules (status reset, generation 1, job selectors…). Call after uid and name are set. */
export function prepareForCreate(info: ResourceInfo, obj: KubeObject): void {
  strategyFor(info).prepareForCreate(obj);
}

/**
 * The resource's update rules: system metadata from the stored object, status kept by the resource
 * and spec by its status subresource, generation moved on spec changes.
 */
export function prepareForUpdate(info: ResourceInfo, newObj: KubeObject, oldObj: KubeObject, subresource: string): void {
  strategyFor(info).prepareForUpdate(newObj, oldObj, subresource);
}

/** Field errors of a new object (422 Invalid when any). */
export function validateCreate(info: ResourceInfo, obj: KubeObject): FieldError[] {
  return strategyFor(info).validate(obj);
}

/** Field errors of an update of the resource or of its status subresource. */
export function validateUpdated(info: ResourceInfo, newObj: KubeObject, oldObj: KubeObject, subresource: string): FieldError[] {
  return strategyFor(info).validateUpdate(newObj, oldObj, subresource);
}

/** Objects are stored in the storage version of their resource (autoscaling/v2 HPAs, core events). */
export function toStorage(info: ResourceInfo, obj: KubeObject): KubeObject {
  return convertForStorage(info, obj);
}

/** A stored object in the version of `info`. */
export function fromStorage(info: ResourceInfo, obj: KubeObject): KubeObject {
  return convertFromStorage(info, obj);
}

/**
 * Strict-decoding problems for fieldValidation Strict/Warn: `unknown field "spec.x"` for fields the
 * kind does not have, `duplicate field "x"` for keys given twice in the JSON text (when known).
 */
export function unknownFields(_info: ResourceInfo, obj: KubeObject, jsonText?: string): string[] {
  const problems = findUnknownFields(obj).map(unknownFieldMessage);
  if (jsonText !== undefined) problems.push(...findDuplicateFields(jsonText).map(duplicateFieldMessage));
  return problems;
}

export type IncludeObject = 'Metadata' | 'Object' | 'None';

/** A meta.k8s.io Table of the objects with the resource's printer columns (NAME / CREATED AT without one). */
export function tableOf(info: ResourceInfo, objects: KubeObject[], include: IncludeObject, version: 'v1' | 'v1beta1', metadata: ListMeta, noHeaders = false): Table {
  const list = { apiVersion: 'v1', kind: 'List', metadata, items: objects };
  return printTable(info, list, { includeObject: include, version, noHeaders });
}

/** Encodes an object as a `k8s\0`-prefixed protobuf body (for clients that accept only protobuf). */
export function encodeProtobuf(obj: KubeObject): Buffer {
  return encodeProtobufObject(obj);
}

/** Decodes a `k8s\0`-prefixed protobuf body (kubectl ≥ 1.32 typed clients) into the JSON object. */
export function decodeProtobuf(body: Buffer): KubeObject {
  return decodeProtobufObject(body);
}

export type { PatchType };

/** The patch type of a PATCH request's Content-Type (415 with the accepted list otherwise). */
export function patchTypeOf(contentType: string | undefined, target: { group: string; kind: string }): PatchType {
  return patchTypeFor(contentType, target.group, target.kind);
}

/**
 * Applies a PATCH body to the current object (kube's patch handler); for server-side apply of a
 * missing object `current` is undefined and the result is the object to create.
 */
export function applyPatch(target: { group: string; kind: string }, type: PatchType, current: KubeObject | undefined, body: string): KubeObject {
  return patchObject(type, current as Parameters<typeof patchObject>[1], body, target) as unknown as KubeObject;
}

/** A selector (apps' LabelSelector, or the plain map of replicationcontrollers) in string form, as Scale status shows it. */
export function selectorString(selector: unknown): string {
  if (!selector || typeof selector !== 'object') return '';
  const sel = selector as Record<string, unknown>;
  if ('matchLabels' in sel || 'matchExpressions' in sel) return formatLabelSelector(sel as LabelSelector);
  return selectorFromSet(sel as Record<string, string>).toString();
}

/** /openapi/v2 as gnostic protobuf (kubectl 1.27 needs it for explain and validation). */
export function openapiV2(): Buffer {
  return openapiV2Protobuf();
}

/** The /openapi/v3 index: group-version → serverRelativeURL with a content hash. */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  return openapiV3Paths();
}

/** One group-version's OpenAPI v3 document (`api/v1`, `apis/apps/v1`) and its hash, or undefined. */
export function openapiV3Document(key: string): { body: Buffer; hash: string } | undefined {
  return openapiV3GroupVersion(key);
}
