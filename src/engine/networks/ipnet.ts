// IPv4 CIDR arithmetic for subnets, gateways and overlap checks.

export interface Ipv4Net {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`invalid IPv4 address: ${ip}`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function isIpv4(ip: string): boolean {
  try {
    ipToInt(ip);
    return true;
  } catch {
    return false;
  }
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Parses a.b.c.d/n; the host bits are cleared (docker accepts 10.1.2.3/24 as 10.1.2.0/24). */
export function parseCidr(cidr: string): Ipv4Net {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m || Number(m[2]) > 32) throw new Error(`invalid CIDR address: ${cidr}`);
  const prefix = Number(m[2]);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(ipToInt(m[1]) / size) * size, prefix };
}

export function formatCidr(net: Ipv4Net): string {
  return `${intToIp(net.base)}/${net.prefix}`;
}

export function contains(net: Ipv4Net, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= net.base && n < net.base + 2 ** (32 - net.prefix);
}

export function overlaps(a: Ipv4Net, b: Ipv4Net): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/** The first usable address, which docker and the bridge plugin use as the gateway. */
export function firstHost(net: Ipv4Net): string {
  return intToIp(net.base + 1);
}
