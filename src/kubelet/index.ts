export { hostNames, dataDirTag, DEFAULT_DATA_DIR, type HostNames } from './host-names.js';
export { startAgent, defaultPodManifestPath, type AgentOptions, type AgentHandle } from './agent.js';
export { KUBELET_VERSION } from './node-status.js';
export { cleanupNode, defaultPodCIDR } from './pod-network.js';
