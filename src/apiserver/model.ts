// The one place the API server meets the object model in src/api: strategies (defaults, validation,
// generation, status handling), selectors, version conversion, patches, printers, OpenAPI and
// protobuf decoding. Handlers call only these functions, so the model can grow behind them.
import type { FieldError, KubeObject, ResourceInfo } from '../api/index.js';
import {
  badRequest,
  fieldSelectorFor,
  formatLabelSelector,
  objectFields,
  parseSelector,
  selectorFromSet,
  SelectorParseError,
  StatusError,
  type LabelSelector,
  type Selector,
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

/** Defaults and create-time resets (status of workloads, generation 1…). */
export function prepareForCreate(_info: ResourceInfo, obj: KubeObject): void {
  obj.metadata.generation = 1;
}

/** Update-time rules: the main resource keeps the old status, the status subresource the old spec. */
export function prepareForUpdate(_info: ResourceInfo, newObj: KubeObject, oldObj: KubeObject, subresource: string): void {
  if (subresource === 'status') {
    for (const k of Object.keys(newObj)) if (k !== 'status' && k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') delete newObj[k];
    for (const k of Object.keys(oldObj)) if (k !== 'status' && k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') newObj[k] = oldObj[k];
  }
  newObj.metadata.generation = oldObj.metadata.generation ?? 1;
}

export function validateCreate(_info: ResourceInfo, _obj: KubeObject): FieldError[] {
  return [];
}

export function validateUpdate(_info: ResourceInfo, _newObj: KubeObject, _oldObj: KubeObject): FieldError[] {
  return [];
}

/** Objects are stored in the storage version of their resource (autoscaling/v2 HPAs, core events). */
export function toStorage(_info: ResourceInfo, obj: KubeObject): KubeObject {
  return obj;
}

export function fromStorage(_info: ResourceInfo, obj: KubeObject): KubeObject {
  return obj;
}

/** Unknown field paths for fieldValidation Strict/Warn, as `unknown field "spec.x"` texts. */
export function unknownFields(_info: ResourceInfo, _obj: KubeObject): string[] {
  return [];
}

export type IncludeObject = 'Metadata' | 'Object' | 'None';

/** A meta.k8s.io Table of the objects, or undefined when no printer exists (kubectl then prints NAME/AGE). */
export function tableOf(_info: ResourceInfo, _objects: KubeObject[], _include: IncludeObject, _version: 'v1' | 'v1beta1', _resourceVersion: string): (Record<string, unknown> & { metadata?: unknown }) | undefined {
  return undefined;
}

/** Decodes a `k8s\0`-prefixed protobuf body (kubectl ≥ 1.32 typed clients) into the JSON object. */
export function decodeProtobuf(_body: Buffer): KubeObject {
  throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** Applies a patch of the given type to the current object (kube's patch handler). */
export function applyPatch(_info: ResourceInfo, _type: PatchType, _current: KubeObject, _patch: unknown, _raw: string): KubeObject {
  throw new StatusError(415, 'UnsupportedMediaType', 'patches are not supported yet');
}

/** A selector (apps' LabelSelector, or the plain map of replicationcontrollers) in string form, as Scale status shows it. */
export function selectorString(selector: unknown): string {
  if (!selector || typeof selector !== 'object') return '';
  const sel = selector as Record<string, unknown>;
  if ('matchLabels' in sel || 'matchExpressions' in sel) return formatLabelSelector(sel as LabelSelector);
  return selectorFromSet(sel as Record<string, string>).toString();
}

/** /openapi/v2 as gnostic protobuf; an empty Document (zero bytes) is valid and enough with complete v3. */
export function openapiV2(): Buffer {
  return Buffer.alloc(0);
}

/** The /openapi/v3 index: group-version → serverRelativeURL with a content hash. */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  return { paths: {} };
}

/** One group-version's OpenAPI v3 document (JSON text and its hash), or undefined. */
export function openapiV3Document(_key: string): { json: string; hash: string } | undefined {
  return undefined;
}
