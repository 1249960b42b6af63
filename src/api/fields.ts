// Field selectors (`?fieldSelector=spec.nodeName=n1,status.phase!=Running`): the syntax of
// k8s.io/apimachinery/pkg/fields, and the per-type field labels kube-apiserver accepts (each type's
// AddFieldLabelConversionFunc and GetAttrs), with the values an object exposes for them.

import { badRequest } from './errors.js';
import type { KubeObject } from './object.js';
import type { ResourceInfo } from './resource.js';

export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  value: string;
}

export type FieldSet = Record<string, string>;

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  matches(fields: FieldSet): boolean {
    return this.requirements.every((r) => ((fields[r.field] ?? '') === r.value) !== (r.operator === '!='));
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',');
  }

  /** The value `field` must equal (for index lookups such as pods by spec.nodeName). */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator !== '!=')?.value;
  }
}

/** fields.EscapeValue: `\`, `,` and `=` in values are backslash-escaped. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function unescapeFieldValue(value: string): string {
  let out = '';
  let slash = false;
  for (const c of value) {
    if (slash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      slash = false;
    } else if (c === '\\') slash = true;
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (slash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not backslash-escaped. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let slash = false;
  for (let i = 0; i < text.length; i++) {
    if (slash) slash = false;
    else if (text[i] === '\\') slash = true;
    else if (text[i] === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** fields.ParseSelector; syntax errors are StatusErrors (400) with kube's messages. */
export function parseFieldSelector(text: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of splitTerms(text).sort()) {
    if (part === '') continue;
    let found: FieldRequirement | undefined;
    for (let i = 0; i < part.length && !found; i++) {
      const op = TERM_OPERATORS.find((o) => part.startsWith(o, i));
      if (op) found = { field: part.slice(0, i), operator: op, value: unescapeFieldValue(part.slice(i + op.length)) };
    }
    if (!found) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    requirements.push(found);
  }
  return new FieldSelector(requirements);
}

type FieldGetter = (obj: KubeObject) => unknown;

function path(...segments: string[]): FieldGetter {
  return (obj) => segments.reduce<unknown>((v, s) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined), obj);
}

// Events are stored in core/v1 form but may be read as events.k8s.io/v1: read either shape.
const eventRef = (obj: KubeObject): unknown => obj.involvedObject ?? obj.regarding;
const eventReporter = (obj: KubeObject): unknown => obj.reportingComponent ?? obj.reportingController;
const REF_FIELDS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

function eventFields(refName: string, reporterName: string): Record<string, FieldGetter> {
  const fields: Record<string, FieldGetter> = {};
  for (const f of REF_FIELDS) fields[`${refName}.${f}`] = (obj) => path(f)(eventRef(obj) as KubeObject);
  fields.reason = path('reason');
  fields[reporterName] = eventReporter;
  fields.source = (obj) => path('source', 'component')(obj) ?? path('deprecatedSource', 'component')(obj) ?? eventReporter(obj);
  fields.type = path('type');
  return fields;
}

const CORE_EVENT_FIELDS = eventFields('involvedObject', 'reportingComponent');
const EVENTS_V1_FIELDS = eventFields('regarding', 'reportingController');

/** Fields beyond metadata.name/namespace, per storage resource (group-independent, as kube's conversions). */
const TYPE_FIELDS: Record<string, Record<string, FieldGetter>> = {
  pods: {
    'spec.nodeName': path('spec', 'nodeName'),
    'spec.restartPolicy': path('spec', 'restartPolicy'),
    'spec.schedulerName': path('spec', 'schedulerName'),
    'spec.serviceAccountName': path('spec', 'serviceAccountName'),
    // GetAttrs always sets it, so an absent hostNetwork reads "false".
    'spec.hostNetwork': (obj) => String(Boolean(path('spec', 'hostNetwork')(obj))),
    'status.phase': path('status', 'phase'),
    'status.podIP': path('status', 'podIP'),
    'status.nominatedNodeName': path('status', 'nominatedNodeName'),
  },
  events: CORE_EVENT_FIELDS,
  secrets: { type: path('type') },
  nodes: { 'spec.unschedulable': (obj) => String(Boolean(path('spec', 'unschedulable')(obj))) },
  namespaces: { 'status.phase': path('status', 'phase') },
  replicasets: { 'status.replicas': (obj) => String(path('status', 'replicas')(obj) ?? 0) },
  replicationcontrollers: { 'status.replicas': (obj) => String(path('status', 'replicas')(obj) ?? 0) },
  jobs: { 'status.successful': (obj) => String(path('status', 'succeeded')(obj) ?? 0) },
};

function fieldsOf(info: ResourceInfo): Record<string, FieldGetter> {
  if (info.group === 'events.k8s.io') return EVENTS_V1_FIELDS;
  return TYPE_FIELDS[info.storageResource] ?? {};
}

/** The field labels `info` accepts in field selectors. */
export function supportedFields(info: ResourceInfo): string[] {
  return ['metadata.name', 'metadata.namespace', ...Object.keys(fieldsOf(info))];
}

/**
 * Parses a `fieldSelector` parameter for one resource: syntax errors and unsupported labels become
 * 400 BadRequest, `field label not supported: x` exactly as kube-apiserver answers.
 */
export function fieldSelectorFor(info: ResourceInfo, text: string): FieldSelector {
  const selector = parseFieldSelector(text);
  const supported = new Set(supportedFields(info));
  const bad = selector.requirements.find((r) => !supported.has(r.field));
  if (bad) throw badRequest(`field label not supported: ${bad.field}`);
  return selector;
}

/** The field set an object exposes to field selectors (absent values read as ""). */
export function objectFields(info: ResourceInfo, obj: KubeObject): FieldSet {
  const set: FieldSet = { 'metadata.name': obj.metadata.name ?? '' };
  // Cluster-scoped objects expose metadata.namespace too (always ""), as DefaultClusterScopedAttr does.
  set['metadata.namespace'] = info.namespaced ? (obj.metadata.namespace ?? '') : '';
  for (const [field, get] of Object.entries(fieldsOf(info))) {
    const v = get(obj);
    set[field] = v === undefined || v === null ? '' : String(v);
  }
  return set;
}
