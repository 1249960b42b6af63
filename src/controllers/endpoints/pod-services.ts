// Pod events → the keys of the Services whose selectors match the pod (before or after a label change).
import { objectKey, type Lister } from '../../client/index.js';
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
