// The seam between containers and networks. A container's network mode is `none` (a private netns with
// only lo), `host` (no netns), `container:<id>` (join another container's netns), or any other name,
// which the engine hands to the NetworkProvider it was given (bridge networks and CNI live there).

export interface NetworkAttachRequest {
  containerId: string;
  containerName: string;
  /** Network mode as the user gave it (bridge, a user network name, ...). */
  network: string;
  /** Path of the network namespace the engine created for the container. */
  netnsPath: string;
  hostname: string;
  /** docker's -p bindings: "80/tcp" → [{HostIp, HostPort}]. */
  portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>>;
  aliases: string[];
  /** An address asked for (docker's --ip), else the network's IPAM picks one. */
  ip?: string;
}

export interface NetworkAttachment {
  /** Network name as inspect shows it under NetworkSettings.Networks. */
  name: string;
  networkId: string;
  ipAddress: string;
  ipPrefixLen: number;
  gateway: string;
  macAddress: string;
  /** Nameservers/search domains for the container's resolv.conf; empty = copy the host's. */
  dns?: { nameservers: string[]; search: string[] };
  /** Published ports as inspect shows them: "80/tcp" → [{HostIp, HostPort}]. */
  ports?: Record<string, Array<{ HostIp: string; HostPort: string }>>;
  /** "name:ip" entries for /etc/hosts (containers of the same user network), written like --add-host. */
  extraHosts?: string[];
}

export interface NetworkProvider {
  /** Whether this provider handles the mode (so `bridge` or a named network fails early when none does). */
  handles(network: string): boolean;
  attach(req: NetworkAttachRequest): Promise<NetworkAttachment>;
  /** Undo attach; must be idempotent (it runs from stop, cleanup and rm). */
  detach(req: NetworkAttachRequest): Promise<void>;
}

/** The mode docker uses when --network is not given. */
export const DEFAULT_NETWORK = 'bridge';
