// A client for one resource, addressed by group/version/resource (a ResourceInfo from src/api fits):
// the verbs of client-go's dynamic client, plus subresources (status, binding, eviction, scale...).
import type { KubeList, KubeObject, ResourceInfo } from '../api/index.js';
import type { RestClient, QueryValue, WatchEvent, WatchHandle, WatchHandlers } from './rest.js';

export type ResourceRef = Pick<ResourceInfo, 'group' | 'version' | 'resource' | 'namespaced'> & { kind?: string };

export interface ListOptions {
  namespace?: string;
  /** A label selector string ("app=web,tier!=db"). */
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
}

export interface WriteOptions {
  namespace?: string;
  fieldManager?: string;
  dryRun?: boolean;
}

export interface DeleteOptions {
  namespace?: string;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUB]] or /apis/GROUP/VERSION/... */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (ref.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${ref.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    readonly rest: RestClient,
    readonly ref: ResourceRef,
  ) {}

  private ns(namespace: string | undefined): string | undefined {
    if (!this.ref.namespaced) return undefined;
    return namespace;
  }

  /** The namespace a write of `obj` goes to: explicit option, then the object's, then the config's. */
  private nsFor(obj: KubeObject | undefined, namespace: string | undefined): string | undefined {
    if (!this.ref.namespaced) return undefined;
    return namespace ?? obj?.metadata?.namespace ?? this.rest.config.namespace;
  }

  get(name: string, namespace?: string): Promise<T> {
    return this.rest.request<T>({ path: resourcePath(this.ref, this.nsFor(undefined, namespace), name) });
  }

  list(options: ListOptions = {}): Promise<KubeList<T>> {
    return this.rest.request<KubeList<T>>({ path: resourcePath(this.ref, this.ns(options.namespace)), query: listQuery(options) });
  }

  /** Every page of a list (limit/continue), as one list with the first page's resourceVersion. */
  async listAll(options: ListOptions = {}): Promise<KubeList<T>> {
    const first = await this.list({ limit: 500, ...options });
    let token = first.metadata?.continue;
    while (token) {
      const page = await this.list({ limit: 500, ...options, continue: token });
      first.items.push(...page.items);
      token = page.metadata?.continue;
    }
    if (first.metadata) delete first.metadata.continue;
    return first;
  }

  watch(options: WatchOptions, handlers: WatchHandlers<T>): WatchHandle {
    const query: Record<string, QueryValue> = { ...listQuery(options), allowWatchBookmarks: options.allowWatchBookmarks ? 'true' : undefined };
    return this.rest.watch<T>({ path: resourcePath(this.ref, this.ns(options.namespace)), query }, handlers);
  }

  create(obj: T, options: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>({ method: 'POST', path: resourcePath(this.ref, this.nsFor(obj, options.namespace)), query: writeQuery(options), body: obj });
  }

  update(obj: T, options: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>({ method: 'PUT', path: resourcePath(this.ref, this.nsFor(obj, options.namespace), obj.metadata.name), query: writeQuery(options), body: obj });
  }

  updateStatus(obj: T, options: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>({
      method: 'PUT',
      path: resourcePath(this.ref, this.nsFor(obj, options.namespace), obj.metadata.name, 'status'),
      query: writeQuery(options),
      body: obj,
    });
  }

  patch(name: string, patch: unknown, type: PatchType = 'merge', options: WriteOptions & { subresource?: string; force?: boolean } = {}): Promise<T> {
    return this.rest.request<T>({
      method: 'PATCH',
      path: resourcePath(this.ref, this.nsFor(undefined, options.namespace), name, options.subresource),
      query: { ...writeQuery(options), force: options.force === undefined ? undefined : String(options.force) },
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
    });
  }

  /** Deletes and returns what the server answers (the object while it terminates, or a Status). */
  delete(name: string, options: DeleteOptions = {}): Promise<T | Record<string, unknown>> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.preconditions) body.preconditions = options.preconditions;
    if (options.dryRun) body.dryRun = ['All'];
    return this.rest.request({ method: 'DELETE', path: resourcePath(this.ref, this.nsFor(undefined, options.namespace), name), body });
  }

  /** Deletes every object the list options select (DELETE on the collection, as `kubectl delete --all`). */
  deleteCollection(options: ListOptions & Omit<DeleteOptions, 'namespace' | 'preconditions'> = {}): Promise<KubeList<T>> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.dryRun) body.dryRun = ['All'];
    return this.rest.request<KubeList<T>>({ method: 'DELETE', path: resourcePath(this.ref, this.ns(options.namespace)), query: listQuery(options), body });
  }

  /** POST to a subresource: pods/binding, pods/eviction, serviceaccounts/token... */
  createSubresource<R = unknown>(name: string, subresource: string, body: unknown, namespace?: string): Promise<R> {
    return this.rest.request<R>({ method: 'POST', path: resourcePath(this.ref, this.nsFor(undefined, namespace), name, subresource), body });
  }

  getSubresource<R = unknown>(name: string, subresource: string, namespace?: string, query?: Record<string, QueryValue>): Promise<R> {
    return this.rest.request<R>({ path: resourcePath(this.ref, this.nsFor(undefined, namespace), name, subresource), query });
  }

  updateSubresource<R = unknown>(name: string, subresource: string, body: unknown, namespace?: string): Promise<R> {
    return this.rest.request<R>({ method: 'PUT', path: resourcePath(this.ref, this.nsFor(undefined, namespace), name, subresource), body });
  }
}

function listQuery(options: ListOptions): Record<string, QueryValue> {
  return {
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    limit: options.limit,
    continue: options.continue,
    resourceVersion: options.resourceVersion,
    timeoutSeconds: options.timeoutSeconds,
  };
}

function writeQuery(options: WriteOptions): Record<string, QueryValue> {
  return { fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined };
}

export type { WatchEvent };
