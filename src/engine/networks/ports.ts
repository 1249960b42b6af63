// Published ports (docker -p, pod hostPorts): kernel DNAT from host addresses to a container address in
// one SKIFF-…-PORTS chain per scope, jumped from PREROUTING and OUTPUT for local destinations (so
// 127.0.0.1:H works from the host; the bridge's route_localnet + masquerade rules carry the reply).
// Each rule carries the owner's id in a comment so the owner's rules go away together.
import dgram from 'node:dgram';
import net from 'node:net';
import { deleteRulesWhere, ensureChain, ensureRule } from './iptables.js';

export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

export function portsChain(chainPrefix: string): string {
  return `${chainPrefix}-PORTS`;
}

function comment(owner: string): string {
  return `skiff ${owner}`;
}

/** DNATs each mapping to ip:containerPort, tagged with `owner`. */
export async function publishPorts(chainPrefix: string, owner: string, ip: string, mappings: PortMapping[]): Promise<void> {
  if (!mappings.length) return;
  const chain = portsChain(chainPrefix);
  await ensureChain('nat', chain);
  for (const parent of ['PREROUTING', 'OUTPUT']) await ensureRule('nat', parent, ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', chain]);
  for (const m of mappings) {
    const dst = m.hostIp && m.hostIp !== '0.0.0.0' ? ['-d', `${m.hostIp}/32`] : [];
    await ensureRule('nat', chain, [...dst, '-p', m.protocol, '-m', m.protocol, '--dport', String(m.hostPort), '-m', 'comment', '--comment', comment(owner), '-j', 'DNAT', '--to-destination', `${ip}:${m.containerPort}`]);
  }
}

/** Removes every mapping of `owner`. */
export async function unpublishPorts(chainPrefix: string, owner: string): Promise<void> {
  await deleteRulesWhere('nat', portsChain(chainPrefix), (rule) => rule.includes(comment(owner)));
}

/** Whether a host process already holds the port (bind fails with EADDRINUSE); resolves the error text. */
export function probeHostPort(m: Pick<PortMapping, 'hostIp' | 'hostPort' | 'protocol'>): Promise<string | undefined> {
  const host = m.hostIp || '0.0.0.0';
  return new Promise((resolve) => {
    if (m.protocol === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', (e) => resolve(e.message));
      s.bind(m.hostPort, host, () => s.close(() => resolve(undefined)));
      return;
    }
    const srv = net.createServer();
    srv.once('error', (e) => resolve(e.message));
    srv.listen({ port: m.hostPort, host, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

/** A port the OS considers free on hostIp (docker's -p CONTAINERPORT picks one from the ephemeral range). */
export function freeHostPort(hostIp: string, protocol: PortMapping['protocol']): Promise<number> {
  const host = hostIp || '0.0.0.0';
  return new Promise((resolve, reject) => {
    if (protocol === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', reject);
      s.bind(0, host, () => {
        const port = s.address().port;
        s.close(() => resolve(port));
      });
      return;
    }
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host }, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
