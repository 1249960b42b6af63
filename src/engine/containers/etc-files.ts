// The small files docker generates per container (/etc/hosts, /etc/hostname, /etc/resolv.conf) and the
// user lookup in the container's own /etc/passwd and /etc/group (docker's `-u name[:group]`).
import { invalid } from '../errors.js';
import type { ProcessUser } from './spec.js';

export function hostsFile(hostname: string, ip: string, extraHosts: string[]): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const h of extraHosts) {
    const i = h.indexOf(':');
    if (i > 0) lines.push(`${h.slice(i + 1)}\t${h.slice(0, i)}`);
  }
  if (ip) lines.push(`${ip}\t${hostname}`);
  return lines.join('\n') + '\n';
}

/**
 * The container's resolv.conf: the host's, minus loopback nameservers when the container has its own
 * network namespace (they would point at the container itself), or the nameservers the network gave.
 */
export function resolvConf(hostResolv: string, ownNetns: boolean, dns?: { nameservers: string[]; search: string[] }): string {
  if (dns && dns.nameservers.length) {
    const lines = dns.nameservers.map((n) => `nameserver ${n}`);
    if (dns.search.length) lines.push(`search ${dns.search.join(' ')}`);
    return lines.join('\n') + '\n';
  }
  if (!ownNetns) return hostResolv;
  return hostResolv
    .split('\n')
    .filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l))
    .join('\n');
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function parsePasswd(text: string): PasswdEntry[] {
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 7)
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] }));
}

function parseGroup(text: string): Array<{ name: string; gid: number; members: string[] }> {
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4)
    .map((f) => ({ name: f[0], gid: Number(f[2]), members: f[3] ? f[3].split(',') : [] }));
}

/** Resolves docker's `-u user[:group]` against the container's passwd/group files. */
export function resolveUser(spec: string, passwd: string, group: string): ProcessUser & { home: string } {
  const [userPart, groupPart] = (spec || '0').split(':');
  const users = parsePasswd(passwd);
  const groups = parseGroup(group);
  let entry = users.find((u) => u.name === userPart);
  if (!entry && /^\d+$/.test(userPart)) entry = users.find((u) => u.uid === Number(userPart)) ?? { name: '', uid: Number(userPart), gid: 0, home: '/' };
  if (!entry) throw invalid(`unable to find user ${userPart}: no matching entries in passwd file`);
  let gid = entry.gid;
  if (groupPart !== undefined && groupPart !== '') {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw invalid(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  const additionalGids = entry.name ? groups.filter((g) => g.members.includes(entry!.name) && g.gid !== gid).map((g) => g.gid) : [];
  return { uid: entry.uid, gid, additionalGids, home: entry.home || '/' };
}
