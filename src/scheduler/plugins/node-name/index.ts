// NodeName: a pod that names its node may only go there.
import { unresolvable, type Plugin } from '../../framework.js';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

export function nodeName(): Plugin {
  return {
    name: NAME,
    filter: (_state, pod, node) => {
      const wanted = pod.pod.spec.nodeName;
      return wanted && wanted !== node.name ? unresolvable(ERR_REASON) : undefined;
    },
  };
}
