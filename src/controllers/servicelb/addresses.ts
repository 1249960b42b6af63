// Which addresses a LoadBalancer Service publishes in status.loadBalancer.ingress, as k3s's ServiceLB
// chooses them: the ExternalIPs of the eligible nodes when any node has one, else their InternalIPs,
// sorted, one list per IP family in the order of spec.ipFamilies. The service proxy on every node then
// answers on those addresses (they are local addresses of the nodes) at the service's ports.

/** A node takes part only when labelled "true", once any node carries this label (k3s's rule). */
export const ENABLE_LB_LABEL = 'svccontroller.k3s.cattle.io/enablelb';

export interface LBNode {
  metadata: { name?: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: {
    addresses?: Array<{ type: string; address: string }>;
    conditions?: Array<{ type: string; status: string }>;
  };
}

export interface LBService {
  spec?: { type?: string; loadBalancerClass?: string; ipFamilies?: string[] };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

/** This controller serves LoadBalancer services without a loadBalancerClass (a class names another implementation). */
export function servedByUs(svc: LBService): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
}

function ready(node: LBNode): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function eligibleNodes(nodes: LBNode[]): LBNode[] {
  const labelled = nodes.some((n) => n.metadata.labels?.[ENABLE_LB_LABEL] !== undefined);
  return nodes.filter((n) => ready(n) && (!labelled || n.metadata.labels?.[ENABLE_LB_LABEL] === 'true'));
}

const isIPv6 = (ip: string) => ip.includes(':');

export function loadBalancerIngress(svc: LBService, nodes: LBNode[]): Array<{ ip: string }> {
  const external = new Set<string>();
  const internal = new Set<string>();
  for (const node of eligibleNodes(nodes)) {
    for (const a of node.status?.addresses ?? []) {
      if (a.type === 'ExternalIP') external.add(a.address);
      else if (a.type === 'InternalIP') internal.add(a.address);
    }
  }
  const ips = [...(external.size ? external : internal)].sort();
  const families = svc.spec?.ipFamilies?.length ? svc.spec.ipFamilies : ['IPv4'];
  return families.flatMap((f) => ips.filter((ip) => (f === 'IPv6') === isIPv6(ip))).map((ip) => ({ ip }));
}
