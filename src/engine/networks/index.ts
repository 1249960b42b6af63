// Networks on the CNI plugins: the bridge attachment library (also used for pod sandboxes), skiff's
// iptables chains, and the docker-facing network provider.
export { attachToBridge, detachFromBridge, checkBridge, removeBridgeNetwork, releaseBridgeHost, bridgeConfList, networkChain, deleteLink, linksWithPrefix, type BridgeNetworkSpec, type BridgeScope, type BridgeEndpoint, type BridgeAttachment } from './bridge.js';
export { addNetworkList, delNetworkList, checkNetworkList, execPlugin, CniError, CNI_PATH, CNI_VERSION, type CniConfList, type CniResult, type CniRuntimeConf, type CniPluginConf } from './cni.js';
export { removeChainsByPrefix } from './iptables.js';
export { parseCidr, formatCidr, overlaps, contains, firstHost } from './ipnet.js';
export { EngineNetworks, releaseRootNetworks, type NetworkRecord, type Endpoint, type CreateNetworkOptions } from './provider.js';
export { publishPorts, unpublishPorts, probeHostPort, freeHostPort, type PortMapping } from './ports.js';
export { singleBridgeProvider } from './single.js';
