// `skiff cleanup --data-dir DIR`: everything the server and agent of one data dir put on the host —
// containers with their mounts and cgroups, the pod bridge and its chains, the service proxy's chains and
// jumps, the service bridge with the cluster DNS address and the service CIDR's routes — and nothing of
// any other data dir (every name comes from hostNames(dataDir)).
import { removeProxyRules, removeServiceRoute } from '../proxy/index.js';
import { hostNames } from './host-names.js';
import { cleanupNode, defaultPodCIDR } from './pod-network.js';

export async function cleanupHost(dataDir: string): Promise<void> {
  const names = hostNames(dataDir);
  // The pod network is removed by its names; the subnet only matters when attaching.
  await cleanupNode(dataDir, defaultPodCIDR('10.42.0.0/16', dataDir));
  await removeProxyRules(names.chainPrefix);
  await removeServiceRoute(undefined, names.serviceBridge);
}
