// The node's pod network: one CNI bridge (host-names' pod bridge) with host-local IPAM over the node's
// podCIDR, iptables rules in the node's own SKIFF-<tag> chains. The podCIDR comes from the Node
// (spec.podCIDR), an explicit option, or — with no IPAM controller in the cluster — a /24 of the cluster
// CIDR chosen from the data dir, so agents with different data dirs on one host do not overlap.
import crypto from 'node:crypto';
import path from 'node:path';
import { Engine, Runtime } from '../engine/index.js';
import { removeBridgeNetwork, singleBridgeProvider, type BridgeNetworkSpec, type BridgeScope } from '../engine/networks/index.js';
import { removeProxyRules, removeServiceRoute } from '../proxy/index.js';
import { hostNames, DEFAULT_DATA_DIR } from './host-names.js';

export interface PodNetwork {
  scope: BridgeScope;
  net: BridgeNetworkSpec;
}

/** The /24 of clusterCIDR (a /16) this data dir uses when nobody assigned one. */
export function defaultPodCIDR(clusterCIDR: string, dataDir: string): string {
  const [base] = clusterCIDR.split('/');
  const [a, b] = base.split('.');
  const abs = path.resolve(dataDir);
  const third = abs === DEFAULT_DATA_DIR ? 0 : 1 + (crypto.createHash('sha256').update(abs).digest()[0] % 254);
  return `${a}.${b}.${third}.0/24`;
}

export function podNetwork(dataDir: string, podCIDR: string): PodNetwork {
  const names = hostNames(dataDir);
  return {
    scope: { stateDir: path.join(path.resolve(dataDir), 'agent', 'cni'), chainPrefix: names.chainPrefix },
    net: { name: `${names.podBridge}-pods`, bridge: names.podBridge, subnet: podCIDR },
  };
}

/** The node's engine, with pod sandboxes attached to the pod bridge. */
export function openNodeEngine(dataDir: string, pn: PodNetwork): Engine {
  return new Engine({ root: hostNames(dataDir).engineRoot, networkProvider: singleBridgeProvider(pn.scope, pn.net) });
}

/**
 * Removes everything the agent of dataDir created on the host: its containers (and their mounts, pod
 * sandboxes' /dev/shm included, and cgroups), the pod bridge with its host-local leases and its iptables chain, the service proxy's chains
 * and the service bridge. Nothing of other data dirs.
 */
export async function cleanupNode(dataDir: string, podCIDR: string, serviceCIDR?: string): Promise<void> {
  const pn = podNetwork(dataDir, podCIDR);
  const engine = openNodeEngine(dataDir, pn);
  try {
    await engine.removeAll();
    // removeAll unmounted the sandboxes' /dev/shm with every other mount of the root; this drops their directories.
    new Runtime(engine).releaseStaleSandboxShms();
  } finally {
    engine.close();
  }
  await removeBridgeNetwork(pn.scope, pn.net);
  // What the node services leave after a crash: proxy chains and the service bridge with its routes
  // (the service CIDR, when not given, is read off the bridge's route).
  await removeProxyRules(pn.scope.chainPrefix);
  await removeServiceRoute(serviceCIDR, hostNames(dataDir).serviceBridge);
}
