// What the service proxy programs: one entry per service port, with the endpoints that serve it.
// Built from Services and EndpointSlices by the proxy's informers; consumed by both proxy modes.

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ProxyEndpoint {
  ip: string;
  port: number;
  ready: boolean;
  /** The endpoint's pod runs on this node (externalTrafficPolicy: Local). */
  local: boolean;
}

export interface ServicePort {
  namespace: string;
  service: string;
  /** The service port's name ("" when unnamed). */
  portName: string;
  protocol: Protocol;
  clusterIPs: string[];
  port: number;
  nodePort?: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** ClientIP session affinity timeout, when sessionAffinity is ClientIP. */
  affinitySeconds?: number;
  externalTrafficLocal: boolean;
  endpoints: ProxyEndpoint[];
}

/** "default/kubia:http" — kube-proxy's ServicePortName, used in comments and hashes. */
export function servicePortName(sp: ServicePort): string {
  return sp.portName ? `${sp.namespace}/${sp.service}:${sp.portName}` : `${sp.namespace}/${sp.service}`;
}
