// "Attach this network namespace to bridge X with subnet Y": the CNI bridge + host-local plugins (plus
// loopback for lo), with IPAM data and cached results under the caller's state dir, and the NAT rules a
// bridge needs in the caller's own SKIFF-* chains (the plugins' ipMasq would create CNI-* chains, so it
// stays off). Docker networks and the kubelet's pod network both use this; nothing here is docker's.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { addNetworkList, checkNetworkList, CNI_VERSION, delNetworkList, execPlugin, type CniConfList, type CniResult } from './cni.js';
import { ensureChain, ensureRule, removeChain } from './iptables.js';
import { firstHost, formatCidr, parseCidr } from './ipnet.js';

export interface BridgeNetworkSpec {
  /** CNI network name; host-local keeps its leases under <stateDir>/ipam/<name>. */
  name: string;
  /** Linux bridge name (≤15 chars) carrying the caller's prefix. */
  bridge: string;
  /** IPv4 subnet in CIDR form, e.g. the node's podCIDR. */
  subnet: string;
  /** Gateway address on the bridge; default the subnet's first address. */
  gateway?: string;
  /** No route out and no forwarding off the bridge (docker's --internal). */
  internal?: boolean;
  /**
   * Interface pattern (iptables `-o`, e.g. `skabc123+`) of sibling bridges this one may not forward to,
   * except for traffic to published ports (DNAT): docker's isolation between networks.
   */
  isolateFrom?: string;
}

/** Where one user of bridges keeps its state, and the prefix of its iptables chains (SKIFF-…). */
export interface BridgeScope {
  stateDir: string;
  chainPrefix: string;
}

export interface BridgeEndpoint {
  containerId: string;
  netnsPath: string;
  /** Interface name inside the namespace; default eth0. */
  ifName?: string;
  /** A specific address from the subnet (host-local's CNI_ARGS IP); default the next free one. */
  ip?: string;
}

export interface BridgeAttachment {
  ifName: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
}

export function bridgeConfList(scope: BridgeScope, net: BridgeNetworkSpec): CniConfList {
  const subnet = formatCidr(parseCidr(net.subnet));
  const gateway = net.gateway ?? firstHost(parseCidr(subnet));
  return {
    cniVersion: CNI_VERSION,
    name: net.name,
    plugins: [
      {
        type: 'bridge',
        bridge: net.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: path.join(scope.stateDir, 'ipam'),
          ranges: [[{ subnet, gateway }]],
          routes: net.internal ? [] : [{ dst: '0.0.0.0/0' }],
        },
      },
    ],
  };
}

function cacheDir(scope: BridgeScope): string {
  return path.join(scope.stateDir, 'results');
}

/** The per-network chain (same name in nat and filter) holding the bridge's NAT and isolation rules. */
export function networkChain(scope: BridgeScope, net: Pick<BridgeNetworkSpec, 'bridge'>): string {
  return `${scope.chainPrefix}-N${crypto.createHash('sha256').update(net.bridge).digest('hex').slice(0, 8)}`;
}

/**
 * Bridges whose rules this process has programmed, with the bridge's ifindex then: a busy node attaches
 * many sandboxes to one bridge, and each check costs several iptables processes. A bridge deleted and
 * created again (a new ifindex) is programmed again.
 */
const programmed = new Map<string, string>();

function ifindex(bridge: string): string {
  try {
    return fs.readFileSync(`/sys/class/net/${bridge}/ifindex`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * The bridge's host-side rules, idempotent: egress masquerade (unless internal), masquerade for
 * published ports reached from 127.0.0.1 (route_localnet) and for hairpin traffic from the subnet
 * itself; internal networks drop forwarding off the bridge, isolated ones forwarding to their siblings.
 */
async function ensureNetworkRules(scope: BridgeScope, net: BridgeNetworkSpec): Promise<void> {
  const chain = networkChain(scope, net);
  const key = `${chain} ${net.bridge} ${net.subnet} ${net.internal ?? false} ${net.isolateFrom ?? ''}`;
  const index = ifindex(net.bridge);
  if (index && programmed.get(key) === index) return;
  const subnet = formatCidr(parseCidr(net.subnet));
  await ensureChain('nat', chain);
  await ensureRule('nat', 'POSTROUTING', ['-j', chain]);
  if (!net.internal) await ensureRule('nat', chain, ['-s', subnet, '!', '-o', net.bridge, '-j', 'MASQUERADE']);
  await ensureRule('nat', chain, ['-s', '127.0.0.0/8', '-o', net.bridge, '-j', 'MASQUERADE']);
  await ensureRule('nat', chain, ['-s', subnet, '-o', net.bridge, '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'MASQUERADE']);
  if (net.internal || net.isolateFrom) {
    await ensureChain('filter', chain);
    await ensureRule('filter', 'FORWARD', ['-j', chain], 'insert');
    await ensureRule('filter', chain, ['-i', net.bridge, '-o', net.bridge, '-j', 'RETURN']);
  }
  if (net.isolateFrom) {
    await ensureRule('filter', chain, ['-i', net.bridge, '-o', net.isolateFrom, '-m', 'conntrack', '!', '--ctstate', 'DNAT', '-j', 'DROP']);
  }
  if (net.internal) {
    await ensureRule('filter', chain, ['-i', net.bridge, '!', '-o', net.bridge, '-j', 'DROP']);
    await ensureRule('filter', chain, ['-o', net.bridge, '!', '-i', net.bridge, '-j', 'DROP']);
  }
  // Published ports answer on 127.0.0.1 only if the kernel may route loopback sources onto the bridge.
  fs.writeFileSync(`/proc/sys/net/ipv4/conf/${net.bridge}/route_localnet`, '1');
  if (index) programmed.set(key, index);
}

function attachmentOf(result: CniResult, ifName: string): BridgeAttachment {
  const ifaces = result.interfaces ?? [];
  const ipConf = result.ips?.find((i) => i.interface === undefined || ifaces[i.interface]?.name === ifName) ?? result.ips?.[0];
  if (!ipConf) throw new Error('bridge plugin returned no address');
  const [ip, prefix] = ipConf.address.split('/');
  return { ifName, ip, prefixLen: Number(prefix), gateway: ipConf.gateway ?? '', mac: ifaces.find((i) => i.name === ifName && i.sandbox)?.mac ?? '' };
}

/** Brings lo up in the namespace and plugs `ifName` into the bridge with an address from the subnet. */
export async function attachToBridge(scope: BridgeScope, net: BridgeNetworkSpec, ep: BridgeEndpoint): Promise<BridgeAttachment> {
  const ifName = ep.ifName ?? 'eth0';
  await execPlugin('ADD', { cniVersion: CNI_VERSION, name: 'lo', type: 'loopback' }, { containerId: ep.containerId, netns: ep.netnsPath, ifName: 'lo' });
  // IgnoreUnknown: every plugin of the list sees CNI_ARGS, only host-local knows IP.
  const args = ep.ip ? { IgnoreUnknown: '1', IP: ep.ip } : undefined;
  const result = await addNetworkList(bridgeConfList(scope, net), { containerId: ep.containerId, netns: ep.netnsPath, ifName, args }, cacheDir(scope));
  try {
    await ensureNetworkRules(scope, net);
  } catch (err) {
    await detachFromBridge(scope, net, ep).catch(() => undefined);
    throw err;
  }
  return attachmentOf(result, ifName);
}

/** Unplugs the endpoint and frees its address; idempotent (the namespace may already be gone). */
export async function detachFromBridge(scope: BridgeScope, net: BridgeNetworkSpec, ep: BridgeEndpoint): Promise<void> {
  const netns = ep.netnsPath && fs.existsSync(ep.netnsPath) ? ep.netnsPath : '';
  await delNetworkList(bridgeConfList(scope, net), { containerId: ep.containerId, netns, ifName: ep.ifName ?? 'eth0' }, cacheDir(scope));
}

/** CNI CHECK of an attachment: throws what the plugin finds missing (address, veth, route). */
export async function checkBridge(scope: BridgeScope, net: BridgeNetworkSpec, ep: BridgeEndpoint): Promise<void> {
  await checkNetworkList(bridgeConfList(scope, net), { containerId: ep.containerId, netns: ep.netnsPath, ifName: ep.ifName ?? 'eth0' }, cacheDir(scope));
}

/** Removes the bridge link, its chains and its IPAM store (call once no endpoint is left). */
export async function removeBridgeNetwork(scope: BridgeScope, net: BridgeNetworkSpec): Promise<void> {
  releaseBridgeHost(scope, net);
  fs.rmSync(path.join(scope.stateDir, 'ipam', net.name), { recursive: true, force: true });
}

/**
 * Removes what an idle bridge holds on the host (its link and chains), synchronously so the caller can
 * decide "no endpoint left" and remove in one state-DB transaction; the next attach recreates both.
 */
export function releaseBridgeHost(scope: BridgeScope, net: Pick<BridgeNetworkSpec, 'bridge'>): void {
  const chain = networkChain(scope, net);
  for (const key of programmed.keys()) if (key.startsWith(`${chain} `)) programmed.delete(key);
  removeChain(chain);
  deleteLink(net.bridge);
}

/** Deletes a link if it exists. */
export function deleteLink(name: string): void {
  spawnSync('ip', ['link', 'del', name], { stdio: 'ignore' });
}

/** Links whose name starts with `prefix`, and the ports (veths) plugged into them. */
export function linksWithPrefix(prefix: string): string[] {
  const all = fs.readdirSync('/sys/class/net');
  const bridges = all.filter((n) => n.startsWith(prefix));
  const ports = bridges.flatMap((b) => {
    try {
      return fs.readdirSync(`/sys/class/net/${b}/brif`);
    } catch {
      return [];
    }
  });
  return [...ports, ...bridges];
}
