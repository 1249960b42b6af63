// Objects every cluster has from its first start: the namespaces default, kube-system, kube-public
// and kube-node-lease.
import { lookupResource, StatusError, type KubeObject } from '../api/index.js';
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
