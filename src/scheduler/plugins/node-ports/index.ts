// NodePorts: a pod's hostPorts must be free on the node (0.0.0.0 conflicts with every address).
import { SKIP, unschedulable, type Plugin } from '../../framework.js';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

export function nodePorts(): Plugin {
  return {
    name: NAME,
    preFilter: (_state, pod) => (pod.hostPorts.length ? undefined : SKIP),
    filter: (_state, pod, node) => (pod.hostPorts.some((p) => node.portInUse(p)) ? unschedulable(ERR_REASON) : undefined),
  };
}
