// The resource metrics API (metrics.k8s.io/v1beta1) that `kubectl top` and the HPA read, served by the
// API server itself instead of metrics-server behind the aggregation layer: NodeMetrics and PodMetrics,
// get and list (label and field selectors, all namespaces), as objects or server-side Tables, with
// metrics-server's names, errors and number formats. Usage comes from MetricsScraper.
import { apiVersionOf, lookupResource, methodNotAllowed, notFound, Quantity, StatusError, type ApiGroupInfo, type KubeObject, type ResourceInfo, type Table } from '../api/index.js';
import { rfc3339 } from '../client/index.js';
import type { RequestContext, ResourceContext, ServerCore } from './context.js';
import { sendJson } from './http-util.js';
import { MetricsScraper, type MetricsStorage } from './metrics-api-scraper.js';
import { fieldSelector, labelSelector } from './model.js';
import { listPrefix } from './objects.js';
import { includeObjectOf, negotiateOrFail } from './rest-read.js';

export const METRICS_GROUP: ApiGroupInfo = { name: 'metrics.k8s.io', versions: ['v1beta1'], preferredVersion: 'v1beta1' };

function metricsResource(resource: string, kind: string, namespaced: boolean): ResourceInfo {
  return {
    group: METRICS_GROUP.name,
    version: 'v1beta1',
    resource,
    // metrics-server registers no singular names.
    singular: '',
    kind,
    namespaced,
    shortNames: [],
    categories: [],
    verbs: ['get', 'list'],
    subresources: {},
    storageResource: `${METRICS_GROUP.name}/${resource}`,
    storageVersion: true,
  };
}

const NODE_METRICS = metricsResource('nodes', 'NodeMetrics', false);
const POD_METRICS = metricsResource('pods', 'PodMetrics', true);

/** The resources of one version of the metrics group, for discovery. */
export function metricsResources(version: string): ResourceInfo[] {
  return version === 'v1beta1' ? [NODE_METRICS, POD_METRICS] : [];
}

const NODES = lookupResource('', 'v1', 'nodes')!;
const PODS = lookupResource('', 'v1', 'pods')!;
const API_VERSION = apiVersionOf(METRICS_GROUP.name, 'v1beta1');

/** CPU in nanocores, canonical as resource.Quantity prints it ("5m", "123456789n"). */
export function cpuQuantity(nanoCores: number): string {
  return Quantity.parse(`${Math.max(0, Math.round(nanoCores))}n`).toString();
}

/** Bytes as a BinarySI quantity ("1228Ki", or plain bytes when not a multiple of 1024). */
export function memoryQuantity(bytes: number): string {
  const b = BigInt(Math.max(0, Math.round(bytes)));
  const rem = b % 1024n;
  // 1/1024 = 0.0009765625 exactly, so any remainder is an exact ten-digit fraction of a Ki.
  return Quantity.parse(rem === 0n ? `${b / 1024n}Ki` : `${b / 1024n}.${(rem * 9765625n).toString().padStart(10, '0')}Ki`).toString();
}

/** metav1.Duration as Go prints a time.Duration ("15.021s", "1m0s", "500ms"), from milliseconds. */
export function goDuration(ms: number): string {
  ms = Math.round(ms);
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = ((ms % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

function nodeMetrics(node: KubeObject, storage: MetricsStorage, now: number): KubeObject | undefined {
  const u = storage.node(node.metadata.name ?? '');
  if (!u) return undefined;
  return {
    kind: 'NodeMetrics',
    apiVersion: API_VERSION,
    metadata: { name: node.metadata.name, creationTimestamp: rfc3339(new Date(now)), ...(node.metadata.labels ? { labels: node.metadata.labels } : {}) },
    timestamp: rfc3339(new Date(u.timestamp)),
    window: goDuration(u.windowMs),
    usage: { cpu: cpuQuantity(u.cpuNanoCores), memory: memoryQuantity(u.memoryBytes) },
  };
}

function podMetrics(pod: KubeObject, storage: MetricsStorage, now: number): KubeObject | undefined {
  const u = storage.pod(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
  if (!u) return undefined;
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: rfc3339(new Date(now)), ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}) },
    timestamp: rfc3339(new Date(u.timestamp)),
    window: goDuration(u.windowMs),
    containers: u.containers.map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.cpuNanoCores), memory: memoryQuantity(c.memoryBytes) } })),
  };
}

type Usage = { cpu: string; memory: string };

/** A pod's usage is the sum of its containers' (metrics-server's table does the same). */
function usageOf(obj: KubeObject): Usage {
  if (obj.kind === 'NodeMetrics') return obj.usage as Usage;
  const containers = (obj.containers ?? []) as Array<{ usage: Usage }>;
  const sum = (k: keyof Usage): string => containers.reduce((q, c) => q.add(Quantity.parse(c.usage[k])), Quantity.parse(k === 'memory' ? '0Ki' : '0')).toString();
  return { cpu: sum('cpu'), memory: sum('memory') };
}

/** metrics-server's Table: Name, cpu, memory, Window. */
function table(objects: KubeObject[], include: string, version: 'v1' | 'v1beta1'): Table {
  const quantity = (name: string) => ({ name, type: 'string', format: 'quantity', description: '', priority: 0 });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: {},
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource', priority: 0 },
      quantity('cpu'),
      quantity('memory'),
      { name: 'Window', type: 'string', format: 'duration', description: '', priority: 0 },
    ],
    rows: objects.map((o) => {
      const u = usageOf(o);
      const object = include === 'None' ? undefined : include === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata };
      return { cells: [o.metadata.name, u.cpu, u.memory, o.window], object };
    }),
  };
}

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata.namespace ?? ''}\0${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}\0${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Serves /apis/metrics.k8s.io/… from scrapes of the kubelets of the nodes in the watch cache. */
export class ResourceMetrics {
  private readonly scraper: MetricsScraper;

  constructor(
    private readonly core: ServerCore,
    token: string,
  ) {
    this.scraper = new MetricsScraper(() => this.cached(NODES, ''), token);
  }

  private cached(info: ResourceInfo, namespace: string): KubeObject[] {
    return this.core.cache
      .cache(info.storageResource)
      .list(listPrefix(info, namespace))
      .map((o) => o.obj);
  }

  async serve(rctx: RequestContext): Promise<void> {
    const ri = rctx.ri;
    const info = metricsResources(ri.version).find((r) => r.resource === ri.resource);
    if (!info || ri.subresource || (!info.namespaced && ri.namespace)) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    if (ri.verb !== 'get' && ri.verb !== 'list') throw methodNotAllowed();
    const ctx: ResourceContext = { ...rctx, info };
    const out = negotiateOrFail(ctx, true);
    if (out.kind === 'object' && out.encoding === 'protobuf') throw new StatusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml');
    const source = info === NODE_METRICS ? NODES : PODS;
    const convert = info === NODE_METRICS ? nodeMetrics : podMetrics;
    const now = Date.now();
    let items: KubeObject[];
    if (ri.verb === 'get') {
      if (info.namespaced && !ri.namespace) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
      const obj = await this.get(source, ri.namespace, ri.name);
      const m = convert(obj, await this.scraper.current(), now);
      const shown = info.namespaced ? `${ri.namespace}/${ri.name}` : ri.name;
      if (!m) throw notFound(info === NODE_METRICS ? 'nodemetrics' : 'podmetrics', METRICS_GROUP.name, shown);
      items = [m];
    } else {
      const labels = labelSelector(ctx.query.get('labelSelector'));
      const fields = fieldSelector(source, ctx.query.get('fieldSelector'));
      const objects = this.cached(source, ri.namespace).filter((o) => labels(o) && fields.matches(o));
      const storage = objects.length ? await this.scraper.current() : undefined;
      items = storage ? objects.flatMap((o) => convert(o, storage, now) ?? []).sort(byNamespaceAndName) : [];
    }
    if (out.kind === 'table') return sendJson(ctx.res, 200, table(items, includeObjectOf(ctx.query), out.version));
    if (out.kind === 'partial') {
      const partial = (o: KubeObject): KubeObject => ({ kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${out.version}`, metadata: o.metadata });
      if (ri.verb === 'get') return sendJson(ctx.res, 200, partial(items[0]));
      return sendJson(ctx.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${out.version}`, metadata: {}, items: items.map(partial) });
    }
    const encoding = out.kind === 'object' && out.encoding === 'yaml' ? 'yaml' : 'json';
    if (ri.verb === 'get') return sendJson(ctx.res, 200, items[0], encoding);
    sendJson(ctx.res, 200, { kind: `${info.kind}List`, apiVersion: API_VERSION, metadata: {}, items }, encoding);
  }

  /** The node or pod a metrics GET names; metrics-server's listers say `node "x" not found` and `pods "x" not found`. */
  private async get(source: ResourceInfo, namespace: string, name: string): Promise<KubeObject> {
    try {
      return await this.core.objects.get(source, namespace, name);
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'NotFound') throw notFound(source === NODES ? 'node' : 'pods', '', name);
      throw err;
    }
  }
}
