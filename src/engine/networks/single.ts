// A NetworkProvider for one fixed bridge network, as a node agent wants for pod sandboxes: the network
// name the runtime is given maps onto `attachToBridge` with the node's bridge and podCIDR.
import type { NetworkAttachment, NetworkAttachRequest, NetworkProvider } from '../network-provider.js';
import { attachToBridge, detachFromBridge, type BridgeNetworkSpec, type BridgeScope } from './bridge.js';

export function singleBridgeProvider(scope: BridgeScope, net: BridgeNetworkSpec): NetworkProvider {
  return {
    handles: (network) => network === net.name,
    async attach(req: NetworkAttachRequest): Promise<NetworkAttachment> {
      const att = await attachToBridge(scope, net, { containerId: req.containerId, netnsPath: req.netnsPath });
      return { name: net.name, networkId: net.name, ipAddress: att.ip, ipPrefixLen: att.prefixLen, gateway: att.gateway, macAddress: att.mac };
    },
    detach: (req) => detachFromBridge(scope, net, { containerId: req.containerId, netnsPath: req.netnsPath }),
  };
}
