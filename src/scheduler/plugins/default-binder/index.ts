// DefaultBinder: binds through the pods/binding subresource, as kube-scheduler does.
import { ResourceClient, refs } from '../../../client/index.js';
import { errorStatus, type Handle, type Plugin } from '../../framework.js';
import type { Pod } from '../../types.js';

export const NAME = 'DefaultBinder';

export function defaultBinder(_args: Record<string, unknown>, handle: Handle): Plugin {
  const pods = new ResourceClient<Pod>(handle.rest, refs.pods);
  return {
    name: NAME,
    bind: async (_state, pod, nodeName) => {
      const binding = {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      };
      try {
        await pods.createSubresource(String(pod.metadata.name), 'binding', binding, pod.metadata.namespace);
        return undefined;
      } catch (err) {
        return errorStatus(err instanceof Error ? err.message : String(err));
      }
    },
  };
}
