// Pod events → the keys of the Services whose selectors match the pod (before or after a label change),
// the handler the Endpoints and EndpointSlice controllers both put on the pod informer.
import { objectKey, type EventHandler, type Lister, type WorkQueue } from '../../client/index.js';
import { serviceSelector, type EndpointPod, type Service } from './service-pods.js';

export function servicesOfPod(services: Lister<Service>, pods: EndpointPod[]): Set<string> {
  const keys = new Set<string>();
  for (const pod of pods) {
    for (const svc of services.listInNamespace(pod.metadata.namespace ?? '')) {
      if (serviceSelector(svc)?.matches(pod.metadata.labels ?? {})) keys.add(objectKey(svc));
    }
  }
  return keys;
}

/** Enqueues the Services a pod is selected by, before and after each change. */
export function podServicesHandler(services: Lister<Service>, queue: WorkQueue<string>): EventHandler<EndpointPod> {
  const changed = (...pods: EndpointPod[]): void => {
    for (const key of servicesOfPod(services, pods)) queue.add(key);
  };
  return { add: (p) => changed(p), update: (o, n) => changed(o, n), delete: (p) => changed(p) };
}
