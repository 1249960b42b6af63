// Objects every cluster has from its first start: the namespaces default, kube-system, kube-public
// and kube-node-lease, and the `kubernetes` Service with the API server's endpoints. They are kept
// while the server runs, as kube-apiserver's system-namespaces and kubernetes-service controllers do.
import { lookupResource, StatusError, type KubeObject, type ResourceInfo } from '../api/index.js';
import { applyDefaults, prepareForCreate } from './model.js';
import { newUid, nowTimestamp, type ObjectStorage } from './objects.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function ensureSystemNamespaces(objects: ObjectStorage): Promise<void> {
  const info = lookupResource('', 'v1', 'namespaces')!;
  for (const name of SYSTEM_NAMESPACES) {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, uid: newUid(), creationTimestamp: nowTimestamp(), labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    applyDefaults(info, ns);
    prepareForCreate(info, ns);
    try {
      await objects.create(info, ns);
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}

export interface ApiEndpoint {
  /** The Service's ClusterIP (first of the service CIDR). */
  clusterIP: string;
  /** Where pods reach the API server: a host address, not loopback, when there is one. */
  address: string;
  port: number;
}

async function upsert(objects: ObjectStorage, info: ResourceInfo, obj: KubeObject): Promise<void> {
  applyDefaults(info, obj);
  try {
    await objects.create(info, { ...obj, metadata: { ...obj.metadata, uid: newUid(), creationTimestamp: nowTimestamp() } });
  } catch (err) {
    if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    await objects.update(info, obj.metadata.namespace ?? '', obj.metadata.name ?? '', async (current) => ({ ...current, ...obj, metadata: { ...current.metadata, labels: obj.metadata.labels, resourceVersion: undefined } }), false);
  }
}

/**
 * The `kubernetes` Service in default (ClusterIP = first service address, port 443) and its Endpoints
 * and EndpointSlice pointing at this API server, rewritten on every start as kube-apiserver's
 * endpoint reconciler does (the port may change between starts).
 */
export async function ensureKubernetesService(objects: ObjectStorage, api: ApiEndpoint): Promise<void> {
  const services = lookupResource('', 'v1', 'services')!;
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  try {
    await objects.get(services, 'default', 'kubernetes');
  } catch {
    const svc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels, uid: newUid(), creationTimestamp: nowTimestamp() },
      spec: { type: 'ClusterIP', clusterIP: api.clusterIP, clusterIPs: [api.clusterIP], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: api.port }], sessionAffinity: 'None' },
    };
    applyDefaults(services, svc);
    prepareForCreate(services, svc);
    try {
      await objects.create(services, svc);
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
  }
  await upsert(objects, lookupResource('', 'v1', 'endpoints')!, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: api.address }], ports: [{ name: 'https', port: api.port, protocol: 'TCP' }] }],
  });
  await upsert(objects, lookupResource('discovery.k8s.io', 'v1', 'endpointslices')!, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [api.address], conditions: { ready: true } }],
    ports: [{ name: 'https', port: api.port, protocol: 'TCP' }],
  });
}

/** How often the system objects are checked (kube-apiserver's endpoint reconciler interval). */
export const SYSTEM_OBJECTS_INTERVAL_MS = 10_000;

/**
 * Recreates the system namespaces and the `kubernetes` Service, Endpoints and EndpointSlice when they
 * are gone or changed (`kubectl delete all --all` in default deletes the Service), until `signal` aborts.
 * Writes nothing while they are as they should be.
 */
export function keepSystemObjects(objects: ObjectStorage, api: ApiEndpoint, signal: AbortSignal, onError: (err: unknown) => void): void {
  const timer = setInterval(() => {
    ensureSystemNamespaces(objects)
      .then(() => ensureKubernetesService(objects, api))
      .catch((err: unknown) => {
        if (!signal.aborted) onError(err);
      });
  }, SYSTEM_OBJECTS_INTERVAL_MS);
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
