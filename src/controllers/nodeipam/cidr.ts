// IPv4 CIDR arithmetic for node IPAM: the cluster CIDR cut into per-node subnets (/24 by default,
// kube-controller-manager's --node-cidr-mask-size), handed out lowest first.

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function parseCidr(text: string): Cidr {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || prefix > 32) throw new Error(`invalid CIDR "${text}": want an IPv4 network such as 10.42.0.0/16`);
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { base: addr - (addr % size), prefix };
}

export function formatCidr(c: Cidr): string {
  const b = c.base;
  return `${Math.floor(b / 2 ** 24) % 256}.${Math.floor(b / 2 ** 16) % 256}.${Math.floor(b / 256) % 256}.${b % 256}/${c.prefix}`;
}

/** Hands out the subnets of a cluster CIDR; `occupy` records ones already in use (from existing nodes). */
export class CidrSet {
  private readonly used = new Set<number>();
  readonly count: number;
  private readonly step: number;

  constructor(
    readonly cluster: Cidr,
    readonly maskSize = 24,
  ) {
    if (maskSize < cluster.prefix || maskSize > 32) throw new Error(`node CIDR mask size /${maskSize} does not fit in cluster CIDR ${formatCidr(cluster)}`);
    this.count = 2 ** (maskSize - cluster.prefix);
    this.step = 2 ** (32 - maskSize);
  }

  /** Marks a subnet as used; false when it is not one of this set's subnets. */
  occupy(text: string): boolean {
    let c: Cidr;
    try {
      c = parseCidr(text);
    } catch {
      return false;
    }
    const index = (c.base - this.cluster.base) / this.step;
    if (c.prefix !== this.maskSize || !Number.isInteger(index) || index < 0 || index >= this.count) return false;
    this.used.add(index);
    return true;
  }

  release(text: string): void {
    const c = parseCidr(text);
    this.used.delete((c.base - this.cluster.base) / this.step);
  }

  /** The lowest free subnet, now marked used; undefined when the cluster CIDR is full. */
  allocate(): string | undefined {
    for (let i = 0; i < this.count; i++) {
      if (this.used.has(i)) continue;
      this.used.add(i);
      return formatCidr({ base: this.cluster.base + i * this.step, prefix: this.maskSize });
    }
    return undefined;
  }
}
