// Services → one iptables-restore document for skiff's own chains, in kube-proxy's iptables mode shape:
// SERVICES → SVC-<hash> (random endpoint choice with the statistic module) → SEP-<hash> (DNAT), NODEPORTS
// for local addresses, MARK-MASQ + POSTROUTING for masquerade, REJECT in the filter table for services
// without endpoints. Pure: the same input always gives the same text, so unchanged rules are not reapplied.
import crypto from 'node:crypto';
import { servicePortName, type ServicePort, type ProxyEndpoint } from './model.js';

export interface ChainNames {
  services: string;
  nodePorts: string;
  postrouting: string;
  markMasq: string;
  /** Prefix of per-service and per-endpoint chains: `${prefix}-SVC-…`, `${prefix}-SEP-…`. */
  prefix: string;
}

/** Chain names from a prefix: "SKIFF" → SKIFF-SERVICES, or "SKIFF-a1b2" for one of several nodes on a host. */
export function chainNames(prefix: string): ChainNames {
  return {
    services: `${prefix}-SERVICES`,
    nodePorts: `${prefix}-NODEPORTS`,
    postrouting: `${prefix}-POSTROUTING`,
    markMasq: `${prefix}-MARK-MASQ`,
    prefix,
  };
}

export interface RuleOptions {
  chains: ChainNames;
  /** Pod network: traffic to a ClusterIP from outside it is masqueraded (kube-proxy's --cluster-cidr). */
  clusterCIDR: string;
  masqueradeMark: string;
}

const MAX_CHAIN = 28;

function hashChain(prefix: string, kind: string, key: string): string {
  const room = MAX_CHAIN - prefix.length - kind.length - 2;
  const digest = crypto.createHash('sha256').update(key).digest('base64').replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  return `${prefix}-${kind}-${digest.slice(0, Math.max(8, Math.min(16, room)))}`;
}

function proto(sp: ServicePort): string {
  const p = sp.protocol.toLowerCase();
  return `-p ${p} -m ${p}`;
}

function comment(text: string): string {
  return `-m comment --comment "${text.replace(/"/g, '')}"`;
}

/** Probability with kube-proxy's precision, so the chain of rules picks each endpoint evenly. */
function probability(n: number): string {
  return (1 / n).toFixed(10);
}

export interface RuleSet {
  nat: string;
  filter: string;
}

export function buildRules(servicePorts: ServicePort[], options: RuleOptions): RuleSet {
  const { chains } = options;
  const natChains = new Set<string>([chains.services, chains.nodePorts, chains.postrouting, chains.markMasq]);
  const nat: string[] = [];
  const filter: string[] = [];
  const filterChains = new Set<string>([chains.services]);
  const nodePortRules: string[] = [];

  nat.push(`-A ${chains.postrouting} -m mark ! --mark ${options.masqueradeMark}/${options.masqueradeMark} -j RETURN`);
  nat.push(`-A ${chains.postrouting} -j MARK --xor-mark ${options.masqueradeMark}`);
  nat.push(`-A ${chains.postrouting} ${comment('skiff service traffic requiring SNAT')} -j MASQUERADE`);
  nat.push(`-A ${chains.markMasq} -j MARK --or-mark ${options.masqueradeMark}`);

  const sorted = [...servicePorts].sort((a, b) => servicePortName(a).localeCompare(servicePortName(b)) || a.protocol.localeCompare(b.protocol));
  for (const sp of sorted) {
    const name = servicePortName(sp);
    const key = `${name}/${sp.protocol}`;
    const ready = sp.endpoints.filter((e) => e.ready);
    const frontends = [...sp.clusterIPs, ...sp.externalIPs, ...sp.loadBalancerIPs];
    if (ready.length === 0) {
      for (const ip of frontends) {
        filter.push(`-A ${chains.services} -d ${ip}/32 ${proto(sp)} --dport ${sp.port} ${comment(`${name} has no endpoints`)} -j REJECT --reject-with icmp-port-unreachable`);
      }
      if (sp.nodePort) {
        filter.push(`-A ${chains.services} -m addrtype --dst-type LOCAL ${proto(sp)} --dport ${sp.nodePort} ${comment(`${name} has no endpoints`)} -j REJECT --reject-with icmp-port-unreachable`);
      }
      continue;
    }
    const svcChain = hashChain(chains.prefix, 'SVC', key);
    natChains.add(svcChain);
    const sepChains = ready.map((e) => hashChain(chains.prefix, 'SEP', `${key}/${e.ip}:${e.port}`));
    for (const ip of sp.clusterIPs) {
      nat.push(`-A ${chains.services} -d ${ip}/32 ${proto(sp)} --dport ${sp.port} ${comment(`${name} cluster IP`)} -j ${svcChain}`);
      nat.push(`-A ${svcChain} ! -s ${options.clusterCIDR} -d ${ip}/32 ${proto(sp)} --dport ${sp.port} ${comment(`${name} cluster IP`)} -j ${chains.markMasq}`);
    }
    // externalTrafficPolicy Local: traffic from outside reaches only this node's endpoints and keeps its
    // client address; pods still use every endpoint, and traffic from the node itself (loopback) is
    // masqueraded. Without local endpoints it is dropped (in the filter table, which sees the original address).
    const external = [...sp.externalIPs, ...sp.loadBalancerIPs];
    const local = ready.filter((e) => e.local);
    let externalChain = svcChain;
    if (sp.externalTrafficLocal && (external.length || sp.nodePort)) {
      externalChain = hashChain(chains.prefix, 'XLB', key);
      natChains.add(externalChain);
      nat.push(`-A ${externalChain} -s ${options.clusterCIDR} ${comment(`${name} pods use every endpoint`)} -j ${svcChain}`);
      if (local.length) {
        nat.push(`-A ${externalChain} -s 127.0.0.0/8 -j ${chains.markMasq}`);
        appendBalancing(nat, externalChain, local, ready, sepChains, sp);
      } else {
        for (const ip of external) filter.push(`-A ${chains.services} -d ${ip}/32 ${proto(sp)} --dport ${sp.port} ${comment(`${name} has no local endpoints`)} -j DROP`);
        if (sp.nodePort) filter.push(`-A ${chains.services} -m addrtype --dst-type LOCAL ${proto(sp)} --dport ${sp.nodePort} ${comment(`${name} has no local endpoints`)} -j DROP`);
      }
    }
    for (const ip of external) {
      if (!sp.externalTrafficLocal) nat.push(`-A ${chains.services} -d ${ip}/32 ${proto(sp)} --dport ${sp.port} ${comment(`${name} external IP`)} -j ${chains.markMasq}`);
      nat.push(`-A ${chains.services} -d ${ip}/32 ${proto(sp)} --dport ${sp.port} ${comment(`${name} external IP`)} -j ${externalChain}`);
    }
    if (sp.nodePort) {
      if (!sp.externalTrafficLocal) nodePortRules.push(`-A ${chains.nodePorts} ${proto(sp)} --dport ${sp.nodePort} ${comment(name)} -j ${chains.markMasq}`);
      nodePortRules.push(`-A ${chains.nodePorts} ${proto(sp)} --dport ${sp.nodePort} ${comment(name)} -j ${externalChain}`);
    }
    appendBalancing(nat, svcChain, ready, ready, sepChains, sp);
    ready.forEach((e, i) => {
      const sep = sepChains[i];
      natChains.add(sep);
      nat.push(`-A ${sep} -s ${e.ip}/32 ${comment(name)} -j ${chains.markMasq}`);
      const affinity = sp.affinitySeconds ? ` -m recent --name ${sep} --set` : '';
      nat.push(`-A ${sep} ${proto(sp)}${affinity} ${comment(name)} -j DNAT --to-destination ${e.ip}:${e.port}`);
    });
  }
  // NodePorts are matched last, for any local address (including 127.0.0.1 with route_localnet).
  nat.push(`-A ${chains.services} -m addrtype --dst-type LOCAL ${comment('skiff service nodeports')} -j ${chains.nodePorts}`);
  nat.push(...nodePortRules);

  const header = (table: string, names: Set<string>) => [`*${table}`, ...[...names].sort().map((c) => `:${c} - [0:0]`)];
  return {
    nat: [...header('nat', natChains), ...nat, 'COMMIT', ''].join('\n'),
    filter: [...header('filter', filterChains), ...filter, 'COMMIT', ''].join('\n'),
  };
}

/** Random choice among `targets`: rule i matches with probability 1/(n-i); ClientIP affinity first. */
function appendBalancing(out: string[], chain: string, targets: ProxyEndpoint[], all: ProxyEndpoint[], sepChains: string[], sp: ServicePort): void {
  const name = servicePortName(sp);
  const sepOf = (e: ProxyEndpoint) => sepChains[all.indexOf(e)];
  if (sp.affinitySeconds) {
    for (const e of targets) {
      out.push(`-A ${chain} ${comment(name)} -m recent --name ${sepOf(e)} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sepOf(e)}`);
    }
  }
  targets.forEach((e, i) => {
    const remaining = targets.length - i;
    const pick = remaining > 1 ? ` -m statistic --mode random --probability ${probability(remaining)}` : '';
    out.push(`-A ${chain} ${comment(`${name} -> ${e.ip}:${e.port}`)}${pick} -j ${sepOf(e)}`);
  });
}
