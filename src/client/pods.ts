// Pod facts every workload controller reads (k8s.io/kubernetes pkg/api/v1/pod and controller_utils.go):
// readiness, availability after minReadySeconds, which pods still count, and the pod a controller makes
// from its template.
import type { OwnerReference } from '../api/index.js';
import type { Pod, PodCondition, PodSpec } from './types.js';

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [field: string]: unknown };
  spec?: PodSpec;
}

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  if (!c.lastTransitionTime) return false;
  return Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 < now.getTime();
}

/** Not finished and not being deleted: the pods that count towards a controller's replicas. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** When the pod became ready (undefined when it is not). */
export function podReadyTime(pod: Pod): number | undefined {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  return Date.parse(c.lastTransitionTime);
}

/** The highest restart count among the pod's containers. */
export function maxContainerRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

/**
 * controller.GetPodFromTemplate: the template's labels, annotations, finalizers and spec, owned by the
 * controller, named `<prefix><5 random chars>` by the API server from generateName.
 */
export function podFromTemplate(template: PodTemplate, namespace: string, generateName: string, controllerRef: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  const metadata: Pod['metadata'] = {
    generateName,
    namespace,
    labels: { ...(meta.labels ?? {}) },
    annotations: { ...(meta.annotations ?? {}) },
    ownerReferences: [controllerRef],
  };
  if (meta.finalizers?.length) metadata.finalizers = [...meta.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template.spec ?? { containers: [] }) };
}
