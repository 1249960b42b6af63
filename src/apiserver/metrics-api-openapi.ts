// The OpenAPI v3 document of metrics.k8s.io/v1beta1, as kube-apiserver publishes it for metrics-server,
// so `kubectl explain nodemetrics` / `podmetrics` work: the read and list operations with their
// group-version-kind, and the metrics kinds' schemas. ObjectMeta and the other shared apimachinery
// schemas are taken from the core document, which already describes them.
import { createHash } from 'node:crypto';
import { openapiV3Document } from './model.js';

type Schema = Record<string, unknown>;

export const METRICS_OPENAPI_KEY = 'apis/metrics.k8s.io/v1beta1';

const PREFIX = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const DOCS = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md';

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const field = (description: string, name: string): Schema => ({ description, default: {}, allOf: [ref(name)] });
const usage = (description: string): Schema => ({ description, type: 'object', additionalProperties: { allOf: [ref(QUANTITY)] } });

const TYPE_META: Record<string, Schema> = {
  apiVersion: { description: `APIVersion defines the versioned schema of this representation of an object. More info: ${DOCS}#resources`, type: 'string' },
  kind: { description: `Kind is a string value representing the REST resource this object represents. In CamelCase. More info: ${DOCS}#types-kinds`, type: 'string' },
};

function kindSchema(kind: string, description: string, properties: Record<string, Schema>, required: string[]): Schema {
  return {
    description,
    type: 'object',
    required,
    properties: { ...TYPE_META, metadata: field(`Standard object's metadata. More info: ${DOCS}#metadata`, `${META}.ObjectMeta`), ...properties },
    'x-kubernetes-group-version-kind': [{ group: 'metrics.k8s.io', kind, version: 'v1beta1' }],
  };
}

function listSchema(kind: string, what: string): Schema {
  return {
    description: `${kind}List is a list of ${kind}.`,
    type: 'object',
    required: ['items'],
    properties: {
      ...TYPE_META,
      items: { description: `List of ${what} metrics.`, type: 'array', items: { default: {}, allOf: [ref(`${PREFIX}.${kind}`)] } },
      metadata: field(`Standard list metadata. More info: ${DOCS}#types-kinds`, `${META}.ListMeta`),
    },
    'x-kubernetes-group-version-kind': [{ group: 'metrics.k8s.io', kind: `${kind}List`, version: 'v1beta1' }],
  };
}

const WINDOW = {
  timestamp: field('The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].', `${META}.Time`),
  window: field('The duration the usage was measured over.', `${META}.Duration`),
};

const METRICS_SCHEMAS: Record<string, Schema> = {
  [`${PREFIX}.ContainerMetrics`]: {
    description: 'ContainerMetrics sets resource usage metrics of a container.',
    type: 'object',
    required: ['name', 'usage'],
    properties: { name: { description: 'Container name corresponding to the one from pod.spec.containers.', type: 'string', default: '' }, usage: usage('The memory usage is the memory working set.') },
  },
  [`${PREFIX}.NodeMetrics`]: kindSchema('NodeMetrics', 'NodeMetrics sets resource usage metrics of a node.', { ...WINDOW, usage: usage('The memory usage is the memory working set.') }, ['timestamp', 'window', 'usage']),
  [`${PREFIX}.NodeMetricsList`]: listSchema('NodeMetrics', 'node'),
  [`${PREFIX}.PodMetrics`]: kindSchema(
    'PodMetrics',
    'PodMetrics sets resource usage metrics of a pod.',
    { ...WINDOW, containers: { description: 'Metrics for all containers are collected within the same time window.', type: 'array', items: { default: {}, allOf: [ref(`${PREFIX}.ContainerMetrics`)] } } },
    ['timestamp', 'window', 'containers'],
  ),
  [`${PREFIX}.PodMetricsList`]: listSchema('PodMetrics', 'pod'),
  [`${META}.Duration`]: { description: 'Duration is a wrapper around time.Duration which supports correct marshaling to YAML and JSON.', type: 'string' },
};

/** Every schema `names` refer to, transitively, taken from `from`. */
function withReferenced(names: string[], from: Record<string, Schema>): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') add(v.replace('#/components/schemas/', ''));
      else visit(v);
    }
  };
  const add = (name: string): void => {
    if (out[name] || !from[name]) return;
    out[name] = from[name];
    visit(from[name]);
  };
  names.forEach(add);
  return out;
}

const QUERY = (name: string, description: string, type = 'string'): Schema => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const LIST_PARAMS = [
  QUERY('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  QUERY('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
];
const PATH = (name: string, description: string): Schema => ({ name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } });

function operation(action: 'get' | 'list', kind: string, id: string, description: string, parameters: Schema[]): Schema {
  const type = `${PREFIX}.${action === 'list' ? `${kind}List` : kind}`;
  const content = Object.fromEntries(['application/json', 'application/yaml'].map((t) => [t, { schema: ref(type) }]));
  return {
    get: {
      tags: ['metrics_v1beta1'],
      description,
      operationId: id,
      parameters,
      responses: { '200': { description: 'OK', content }, '401': { description: 'Unauthorized' } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': { group: 'metrics.k8s.io', version: 'v1beta1', kind },
    },
  };
}

let served: { body: Buffer; hash: string } | undefined;

function build(): { body: Buffer; hash: string } {
  const core = openapiV3Document('api/v1');
  const shared = core ? ((JSON.parse(core.body.toString('utf8')) as { components: { schemas: Record<string, Schema> } }).components.schemas) : {};
  const name = PATH('name', 'name of the resource');
  const namespace = PATH('namespace', 'object name and auth scope, such as for teams and projects');
  const base = '/apis/metrics.k8s.io/v1beta1';
  const doc = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.33.1' },
    paths: {
      [`${base}/namespaces/{namespace}/pods`]: operation('list', 'PodMetrics', 'listMetricsV1beta1NamespacedPodMetrics', 'list objects of kind PodMetrics', [namespace, ...LIST_PARAMS]),
      [`${base}/namespaces/{namespace}/pods/{name}`]: operation('get', 'PodMetrics', 'readMetricsV1beta1NamespacedPodMetrics', 'read the specified PodMetrics', [name, namespace]),
      [`${base}/nodes`]: operation('list', 'NodeMetrics', 'listMetricsV1beta1NodeMetrics', 'list objects of kind NodeMetrics', LIST_PARAMS),
      [`${base}/nodes/{name}`]: operation('get', 'NodeMetrics', 'readMetricsV1beta1NodeMetrics', 'read the specified NodeMetrics', [name]),
      [`${base}/pods`]: operation('list', 'PodMetrics', 'listMetricsV1beta1PodMetricsForAllNamespaces', 'list objects of kind PodMetrics', LIST_PARAMS),
    },
    components: { schemas: { ...withReferenced([`${META}.ObjectMeta`, `${META}.ListMeta`, `${META}.Time`, QUANTITY], shared), ...METRICS_SCHEMAS } },
  };
  const body = Buffer.from(JSON.stringify(doc));
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

/** The metrics group's entry of the /openapi/v3 index. */
export function metricsOpenapiIndex(): Record<string, { serverRelativeURL: string }> {
  served ??= build();
  return { [METRICS_OPENAPI_KEY]: { serverRelativeURL: `/openapi/v3/${METRICS_OPENAPI_KEY}?hash=${served.hash}` } };
}

/** The document for `/openapi/v3/apis/metrics.k8s.io/v1beta1`, or undefined for any other key. */
export function metricsOpenapiDocument(key: string): { body: Buffer; hash: string } | undefined {
  if (key !== METRICS_OPENAPI_KEY) return undefined;
  served ??= build();
  return served;
}
