// The resources the shared machinery itself (events, leases) and the scheduler and hollow nodes talk
// to. Any other resource is addressed with a ResourceInfo from src/api's registry.
import type { ResourceRef } from './resource.js';

export const refs = {
  pods: { group: '', version: 'v1', resource: 'pods', namespaced: true, kind: 'Pod' },
  nodes: { group: '', version: 'v1', resource: 'nodes', namespaced: false, kind: 'Node' },
  namespaces: { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' },
  events: { group: '', version: 'v1', resource: 'events', namespaced: true, kind: 'Event' },
  persistentVolumes: { group: '', version: 'v1', resource: 'persistentvolumes', namespaced: false, kind: 'PersistentVolume' },
  persistentVolumeClaims: { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespaced: true, kind: 'PersistentVolumeClaim' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespaced: true, kind: 'Lease' },
  storageClasses: { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', namespaced: false, kind: 'StorageClass' },
  priorityClasses: { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', namespaced: false, kind: 'PriorityClass' },
} satisfies Record<string, ResourceRef>;

/** Kubernetes' RFC 3339 time with second precision (metav1.Time). */
export function rfc3339(date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Kubernetes' RFC 3339 time with microseconds (metav1.MicroTime: Leases, events.k8s.io eventTime). */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/Z$/, '000Z');
}
