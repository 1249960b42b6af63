// docker's networks for one engine root: the predefined bridge/host/none, user-defined bridge networks,
// container endpoints (address, published ports, aliases) and live /etc/hosts entries between
// containers of a user network. Links, chains and state are named from the root so two roots never
// collide and `reset` removes exactly what this root made.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { conflict, EngineError, invalid, notFound } from '../errors.js';
import type { NetworkAttachment, NetworkAttachRequest, NetworkProvider } from '../network-provider.js';
import { rootTag } from '../paths.js';
import { attachToBridge, deleteLink, detachFromBridge, linksWithPrefix, releaseBridgeHost, removeBridgeNetwork, type BridgeNetworkSpec, type BridgeScope } from './bridge.js';
import { removeChain, removeChainsByPrefix } from './iptables.js';
import { contains, firstHost, formatCidr, isIpv4, overlaps, parseCidr, type Ipv4Net } from './ipnet.js';
import { freeHostPort, portsChain, probeHostPort, publishPorts, unpublishPorts, type PortMapping } from './ports.js';

/** A network as `docker network inspect` shows it (without Containers, which comes from endpoints). */
export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: 'bridge' | 'host' | 'null';
  EnableIPv6: boolean;
  IPAM: { Driver: 'default'; Options: Record<string, string>; Config: Array<{ Subnet: string; Gateway: string }> };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

export interface Endpoint {
  containerId: string;
  containerName: string;
  networkId: string;
  endpointId: string;
  netnsPath: string;
  ifName: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  aliases: string[];
  ports: PortMapping[];
}

export interface CreateNetworkOptions {
  name: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  labels?: Record<string, string>;
}

const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
/** Where default subnets come from: /24s of 172.16.0.0/12, the private range docker draws from too. */
const POOL = parseCidr('172.16.0.0/12');
const SCHEMA = `
CREATE TABLE IF NOT EXISTS networks (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS endpoints (container_id TEXT NOT NULL, network_id TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (container_id, network_id));
`;

export class EngineNetworks implements NetworkProvider {
  readonly scope: BridgeScope;
  /** Prefix of every link this root creates (bridges); host veths are plugged into these. */
  readonly linkPrefix: string;
  private opened?: Database.Database;
  private readonly containersDir: string;
  private readonly root: string;

  constructor(root: string) {
    const abs = path.resolve(root);
    this.root = abs;
    const tag = rootTag(abs);
    this.scope = { stateDir: path.join(abs, 'networks'), chainPrefix: `SKIFF-E${tag.slice(0, 8)}` };
    // "sk" + hex never matches the kubelet's skiff*/skv* names.
    this.linkPrefix = `sk${tag.slice(0, 6)}`;
    this.containersDir = path.join(abs, 'containers');
    fs.mkdirSync(this.scope.stateDir, { recursive: true });
  }

  /**
   * The root's network state, opened on first use: verbs that never touch a network (`run --network
   * none`, `ps`) skip a second SQLite open on every CLI call.
   */
  private get db(): Database.Database {
    if (!this.opened) {
      this.opened = new Database(path.join(this.scope.stateDir, 'networks.db'), { timeout: 30000 });
      this.opened.pragma('journal_mode = WAL');
      this.opened.exec(SCHEMA);
      this.ensurePredefined();
    }
    return this.opened;
  }

  close(): void {
    this.opened?.close();
  }

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ---- networks ------------------------------------------------------------------------------------

  private ensurePredefined(): void {
    if (this.db.prepare('SELECT 1 FROM networks WHERE name = ?').get('bridge')) return;
    this.tx(() => {
      if (this.db.prepare('SELECT 1 FROM networks WHERE name = ?').get('bridge')) return;
      for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const) this.insert(blankRecord(name, driver));
      const bridge = blankRecord('bridge', 'bridge');
      const subnet = this.allocateSubnet();
      bridge.IPAM.Config = [{ Subnet: formatCidr(subnet), Gateway: firstHost(subnet) }];
      bridge.Options = { [BRIDGE_NAME_OPTION]: `${this.linkPrefix}0`, 'com.docker.network.bridge.default_bridge': 'true' };
      this.insert(bridge);
    });
  }

  private insert(n: NetworkRecord): void {
    this.db.prepare('INSERT INTO networks (id, name, data) VALUES (?, ?, ?)').run(n.Id, n.Name, JSON.stringify(n));
  }

  list(): NetworkRecord[] {
    return (this.db.prepare('SELECT data FROM networks ORDER BY name').all() as Array<{ data: string }>).map((r) => JSON.parse(r.data) as NetworkRecord);
  }

  /** By full name, full id or unique id prefix, as docker resolves network references. */
  find(ref: string): NetworkRecord | undefined {
    const all = this.list();
    const exact = all.find((n) => n.Name === ref) ?? all.find((n) => n.Id === ref);
    if (exact) return exact;
    const byPrefix = all.filter((n) => ref && n.Id.startsWith(ref));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  get(ref: string): NetworkRecord {
    const n = this.find(ref);
    if (!n) throw notFound(`network ${ref} not found`);
    return n;
  }

  handles(network: string): boolean {
    const n = this.find(network);
    return n !== undefined && n.Driver === 'bridge';
  }

  /** The first /24 of the pool after a root-derived start that overlaps no route on the host or network here. */
  private allocateSubnet(): Ipv4Net {
    const taken = [...this.list().flatMap((n) => n.IPAM.Config.map((c) => parseCidr(c.Subnet))), ...hostRoutes()];
    const slots = 2 ** (24 - POOL.prefix);
    const start = parseInt(this.linkPrefix.slice(2), 16) % slots;
    for (let i = 0; i < slots; i++) {
      const candidate = { base: POOL.base + ((start + i) % slots) * 256, prefix: 24 };
      if (!taken.some((t) => overlaps(t, candidate))) return candidate;
    }
    throw new EngineError('Runtime', 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  }

  create(o: CreateNetworkOptions): NetworkRecord {
    const driver = o.driver ?? 'bridge';
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(o.name)) throw invalid(`invalid network name "${o.name}"`);
    return this.tx(() => {
      if (this.find(o.name)?.Name === o.name) throw conflict(`network with name ${o.name} already exists`);
      const rec = blankRecord(o.name, 'bridge');
      let subnet: Ipv4Net;
      if (o.subnet) {
        subnet = parseOrInvalid(o.subnet);
        const clash = this.list().find((n) => n.IPAM.Config.some((c) => overlaps(parseCidr(c.Subnet), subnet)));
        if (clash) throw new EngineError('Conflict', `invalid pool request: Pool overlaps with other one on this address space`);
      } else {
        if (o.gateway) throw invalid('invalid pool request: gateway requires a subnet');
        subnet = this.allocateSubnet();
      }
      const gateway = o.gateway ?? firstHost(subnet);
      if (o.gateway && !contains(subnet, o.gateway)) throw invalid(`no matching subnet for gateway ${o.gateway}`);
      rec.IPAM.Config = [{ Subnet: formatCidr(subnet), Gateway: gateway }];
      rec.Internal = o.internal ?? false;
      rec.Labels = o.labels ?? {};
      rec.Options = { [BRIDGE_NAME_OPTION]: `${this.linkPrefix}${rec.Id.slice(0, 7)}` };
      this.insert(rec);
      return rec;
    });
  }

  private spec(n: NetworkRecord): BridgeNetworkSpec {
    const ipam = n.IPAM.Config[0];
    return { name: n.Id.slice(0, 12), bridge: n.Options[BRIDGE_NAME_OPTION], subnet: ipam.Subnet, gateway: ipam.Gateway, internal: n.Internal, isolateFrom: `${this.linkPrefix}+` };
  }

  endpoints(filter: { networkId?: string; containerId?: string } = {}): Endpoint[] {
    const rows = this.db.prepare('SELECT data FROM endpoints').all() as Array<{ data: string }>;
    return rows
      .map((r) => JSON.parse(r.data) as Endpoint)
      .filter((e) => (!filter.networkId || e.networkId === filter.networkId) && (!filter.containerId || e.containerId === filter.containerId));
  }

  /** docker network rm: refused while containers are attached; predefined networks stay. */
  async remove(ref: string): Promise<NetworkRecord> {
    const n = this.get(ref);
    if (['bridge', 'host', 'none'].includes(n.Name)) throw new EngineError('Conflict', `${n.Name} is a pre-defined network and cannot be removed`);
    const users = this.endpoints({ networkId: n.Id });
    if (users.length) throw conflict(`error while removing network: network ${n.Name} id ${n.Id} has active endpoints`);
    await removeBridgeNetwork(this.scope, this.spec(n));
    this.db.prepare('DELETE FROM networks WHERE id = ?').run(n.Id);
    return n;
  }

  /** docker network prune: every user network without endpoints. */
  async prune(): Promise<string[]> {
    const removed: string[] = [];
    for (const n of this.list()) {
      if (['bridge', 'host', 'none'].includes(n.Name) || this.endpoints({ networkId: n.Id }).length) continue;
      await this.remove(n.Id);
      removed.push(n.Name);
    }
    return removed;
  }

  // ---- endpoints -----------------------------------------------------------------------------------

  async attach(req: NetworkAttachRequest): Promise<NetworkAttachment> {
    return this.connect(req, req.network, { ifName: 'eth0', aliases: req.aliases, ports: req.portBindings, ip: req.ip });
  }

  /**
   * Plugs a container's namespace into a network: eth0 for its own network, ethN for `network connect`.
   * Published ports are checked against this root's other endpoints and against host processes first.
   */
  async connect(req: Pick<NetworkAttachRequest, 'containerId' | 'containerName' | 'netnsPath'>, network: string, o: { ifName?: string; aliases: string[]; ports?: NetworkAttachRequest['portBindings']; ip?: string }): Promise<NetworkAttachment> {
    const n = this.get(network);
    if (n.Driver !== 'bridge') throw invalid(`container cannot be disconnected from host network or connected to host network`);
    if (o.ip && !n.IPAM.Config.some((c) => isIpv4(o.ip!) && contains(parseCidr(c.Subnet), o.ip!))) throw invalid(`no configured subnet or ip-range contain the IP address ${o.ip}`);
    const endpointId = crypto.randomBytes(32).toString('hex');
    const mappings = await this.resolvePorts(req.containerName, endpointId, o.ports ?? {});
    // The endpoint is recorded before the CNI ADD, in the same transaction as the last checks, so a
    // concurrent last detach never removes the bridge under it and two runs never get one host port.
    const ep = this.tx((): Endpoint => {
      const mine = this.endpoints({ containerId: req.containerId });
      if (mine.some((e) => e.networkId === n.Id)) throw new EngineError('Conflict', `endpoint with name ${req.containerName} already exists in network ${n.Name}`);
      const taken = this.endpoints().flatMap((e) => e.ports);
      const clash = mappings.find((m) => taken.some((t) => clashes(t, m.hostIp, m.hostPort, m.protocol)));
      if (clash) throw portError(req.containerName, endpointId, `Bind for ${clash.hostIp || '0.0.0.0'}:${clash.hostPort} failed: port is already allocated`);
      const pending: Endpoint = {
        containerId: req.containerId, containerName: req.containerName, networkId: n.Id, endpointId, netnsPath: req.netnsPath,
        ifName: o.ifName ?? `eth${firstFreeIndex(mine.map((e) => e.ifName))}`, ip: '', prefixLen: 0, gateway: '', mac: '', aliases: o.aliases, ports: mappings,
      };
      if (n.Name === 'bridge' && !this.endpoints({ networkId: n.Id }).length) this.moveIfTaken(n);
      this.saveEndpoint(pending);
      return pending;
    });
    const spec = this.spec(this.get(n.Id));
    try {
      const att = await attachToBridge(this.scope, spec, { containerId: ep.containerId, netnsPath: ep.netnsPath, ifName: ep.ifName, ip: o.ip }).catch((err: Error) => {
        throw /not available|already reserved|in use/i.test(err.message) ? new EngineError('Conflict', 'Address already in use') : err;
      });
      Object.assign(ep, { ip: att.ip, prefixLen: att.prefixLen, gateway: att.gateway, mac: att.mac });
      await publishPorts(this.scope.chainPrefix, ep.containerId, att.ip, mappings);
      this.saveEndpoint(ep);
    } catch (err) {
      await this.disconnectEndpoint(ep).catch(() => undefined);
      throw err;
    }
    if (n.Name !== 'bridge') this.refreshHosts(n.Id);
    return {
      name: n.Name, networkId: n.Id, ipAddress: ep.ip, ipPrefixLen: ep.prefixLen, gateway: ep.gateway, macAddress: ep.mac,
      ports: portsView(mappings, o.ports ?? {}),
      ...(n.Name !== 'bridge' ? { extraHosts: this.peerHosts(n.Id, req.containerId) } : {}),
    };
  }

  /**
   * The default bridge's subnet was picked when this root was created; while it is idle its route is
   * gone, so another root (or a new host network) may have taken the range since. Move it then.
   */
  private moveIfTaken(n: NetworkRecord): void {
    const current = parseCidr(n.IPAM.Config[0].Subnet);
    if (!hostRoutes().some((r) => overlaps(r, current))) return;
    const subnet = this.allocateSubnet();
    n.IPAM.Config = [{ Subnet: formatCidr(subnet), Gateway: firstHost(subnet) }];
    this.db.prepare('UPDATE networks SET data = ? WHERE id = ?').run(JSON.stringify(n), n.Id);
  }

  private saveEndpoint(ep: Endpoint): void {
    this.db.prepare('INSERT OR REPLACE INTO endpoints (container_id, network_id, data) VALUES (?, ?, ?)').run(ep.containerId, ep.networkId, JSON.stringify(ep));
  }

  /** Random host ports for empty HostPort, then docker's two refusals: allocated here, or bound by a host process. */
  private async resolvePorts(containerName: string, endpointId: string, bindings: NetworkAttachRequest['portBindings']): Promise<PortMapping[]> {
    const out: PortMapping[] = [];
    const fail = (msg: string): never => {
      throw portError(containerName, endpointId, msg);
    };
    const inUse = this.endpoints().flatMap((e) => e.ports);
    for (const [key, list] of Object.entries(bindings)) {
      const [port, proto = 'tcp'] = key.split('/');
      if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw invalid(`invalid proto: ${proto}`);
      for (const b of list ?? []) {
        const hostIp = b.HostIp || '';
        const [lo, hi] = (b.HostPort || '').split('-').map(Number);
        let hostPort = lo || 0;
        if (!hostPort) hostPort = await freeHostPort(hostIp, proto);
        else if (hi) {
          // a range: the first port in it that neither this root nor a host process holds
          for (let p = lo; p <= hi; p++) {
            if (!inUse.some((m) => clashes(m, hostIp, p, proto)) && !(await probeHostPort({ hostIp, hostPort: p, protocol: proto }))) {
              hostPort = p;
              break;
            }
            if (p === hi) fail(`Bind for ${hostIp || '0.0.0.0'}:${b.HostPort} failed: port is already allocated`);
          }
        }
        const shown = `${hostIp || '0.0.0.0'}:${hostPort}`;
        if (inUse.some((m) => clashes(m, hostIp, hostPort, proto)) || out.some((m) => clashes(m, hostIp, hostPort, proto))) fail(`Bind for ${shown} failed: port is already allocated`);
        const err = await probeHostPort({ hostIp, hostPort, protocol: proto });
        if (err) fail(`Error starting userland proxy: listen ${proto}4 ${shown}: bind: ${/EADDRINUSE/.test(err) ? 'address already in use' : /EADDRNOTAVAIL/.test(err) ? 'cannot assign requested address' : err}`);
        out.push({ hostIp, hostPort, containerPort: Number(port), protocol: proto });
      }
    }
    return out;
  }

  async detach(req: NetworkAttachRequest): Promise<void> {
    for (const ep of this.endpoints({ containerId: req.containerId })) await this.disconnectEndpoint(ep);
  }

  /** docker network disconnect. */
  async disconnect(containerId: string, network: string): Promise<void> {
    const n = this.get(network);
    const ep = this.endpoints({ containerId, networkId: n.Id })[0];
    if (!ep) throw new EngineError('Conflict', `container ${containerId} is not connected to network ${n.Name}`);
    await this.disconnectEndpoint(ep);
  }

  /** Unplugs one endpoint; the network's bridge and chains go with its last endpoint (recreated on the next attach). */
  private async disconnectEndpoint(ep: Endpoint): Promise<void> {
    const n = this.list().find((x) => x.Id === ep.networkId);
    if (ep.ports.length) await unpublishPorts(this.scope.chainPrefix, ep.containerId);
    if (n) await detachFromBridge(this.scope, this.spec(n), { containerId: ep.containerId, netnsPath: ep.netnsPath, ifName: ep.ifName });
    this.tx(() => {
      this.db.prepare('DELETE FROM endpoints WHERE container_id = ? AND network_id = ?').run(ep.containerId, ep.networkId);
      if (n && !this.endpoints({ networkId: n.Id }).length) releaseBridgeHost(this.scope, this.spec(n));
      if (!this.endpoints().some((e) => e.ports.length)) removeChain(portsChain(this.scope.chainPrefix));
    });
    if (n && n.Name !== 'bridge') this.refreshHosts(n.Id);
  }

  // ---- name resolution -------------------------------------------------------------------------------

  /** "name:ip" entries (as --add-host) for the other containers of a user network, by name, alias and short id. */
  peerHosts(networkId: string, self: string): string[] {
    return this.endpoints({ networkId })
      .filter((e) => e.containerId !== self)
      .flatMap((e) => [...new Set([e.containerName, ...e.aliases, e.containerId.slice(0, 12)])].map((name) => `${name}:${e.ip}`));
  }

  /** Rewrites the peer block of each member's hosts file in place (it is bind-mounted into the container). */
  private refreshHosts(networkId: string): void {
    const members = new Set(this.endpoints().map((e) => e.containerId));
    for (const id of members) {
      const file = path.join(this.containersDir, id, 'hosts');
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      const nets = this.endpoints({ containerId: id }).filter((e) => this.find(e.networkId)?.Name !== 'bridge');
      if (!nets.some((e) => e.networkId === networkId)) continue;
      const base = text.split(PEER_MARKER)[0].replace(/\n*$/, '\n');
      const peers = nets.flatMap((e) => this.peerHosts(e.networkId, id)).map((h) => `${h.slice(h.lastIndexOf(':') + 1)}\t${h.slice(0, h.lastIndexOf(':'))}`);
      fs.writeFileSync(file, peers.length ? `${base}${PEER_MARKER}\n${peers.join('\n')}\n` : base);
    }
  }

  // ---- cleanup -------------------------------------------------------------------------------------

  /** Removes every endpoint, bridge, chain and lease of this root and forgets its networks (`system reset`). */
  async reset(): Promise<void> {
    for (const ep of this.endpoints()) await this.disconnectEndpoint(ep).catch(() => undefined);
    await releaseRootNetworks(this.root);
    this.db.exec('DELETE FROM networks');
  }
}

const PEER_MARKER = '# skiff: containers on the same networks';

function blankRecord(name: string, driver: NetworkRecord['Driver']): NetworkRecord {
  return {
    Name: name, Id: crypto.randomBytes(32).toString('hex'), Created: new Date().toISOString(), Scope: 'local', Driver: driver, EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: [] }, Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' },
    ConfigOnly: false, Options: {}, Labels: {},
  };
}

function portError(containerName: string, endpointId: string, msg: string): EngineError {
  return new EngineError('Runtime', `driver failed programming external connectivity on endpoint ${containerName} (${endpointId}): ${msg}`);
}

function parseOrInvalid(cidr: string): Ipv4Net {
  try {
    return parseCidr(cidr);
  } catch {
    throw invalid(`invalid CIDR address: ${cidr}`);
  }
}

function clashes(m: PortMapping, hostIp: string, hostPort: number, proto: string): boolean {
  const any = (ip: string): boolean => !ip || ip === '0.0.0.0';
  return m.hostPort === hostPort && m.protocol === proto && (any(m.hostIp) || any(hostIp) || m.hostIp === hostIp);
}

function firstFreeIndex(names: string[]): number {
  let i = 0;
  while (names.includes(`eth${i}`)) i++;
  return i;
}

/** Ports as inspect shows them: every requested container port, with its bindings (docker prints 0.0.0.0). */
function portsView(mappings: PortMapping[], requested: NetworkAttachRequest['portBindings']): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const key of Object.keys(requested)) out[key.includes('/') ? key : `${key}/tcp`] = [];
  for (const m of mappings) (out[`${m.containerPort}/${m.protocol}`] ??= []).push({ HostIp: m.hostIp || '0.0.0.0', HostPort: String(m.hostPort) });
  return out;
}

/** IPv4 destinations the host already routes (its own LANs, other roots' and the kubelet's bridges). */
function hostRoutes(): Ipv4Net[] {
  const out: Ipv4Net[] = [];
  try {
    const lines = fs.readFileSync('/proc/net/route', 'utf8').split('\n').slice(1);
    for (const l of lines) {
      const f = l.trim().split(/\s+/);
      if (f.length < 8 || f[1] === '00000000') continue;
      const le = (hex: string): number => Buffer.from(hex, 'hex').readUInt32LE(0);
      const mask = le(f[7]);
      const prefix = mask.toString(2).split('').filter((b) => b === '1').length;
      out.push({ base: le(f[1]), prefix });
    }
  } catch {
    // no /proc/net/route: nothing known to avoid
  }
  return out;
}

/**
 * Removes what any process of this root left on the host — chains and bridges by the root's prefixes,
 * leases and cached results — without needing the state DB (engine cleanup, crashed tests).
 */
export async function releaseRootNetworks(root: string): Promise<void> {
  const tag = rootTag(path.resolve(root));
  removeChainsByPrefix(`SKIFF-E${tag.slice(0, 8)}`);
  for (const link of linksWithPrefix(`sk${tag.slice(0, 6)}`)) deleteLink(link);
  const state = path.join(path.resolve(root), 'networks');
  for (const dir of ['ipam', 'results']) fs.rmSync(path.join(state, dir), { recursive: true, force: true });
  try {
    const db = new Database(path.join(state, 'networks.db'), { timeout: 30000 });
    db.exec(SCHEMA);
    db.exec('DELETE FROM endpoints');
    db.close();
  } catch {
    // no state DB: nothing recorded
  }
}
