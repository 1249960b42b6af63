export { ClusterResolver, type ClusterView, type DnsService, type DnsEndpoint, type DnsServicePort } from './records.js';
export { startDnsServer, type DnsServer, type DnsServerOptions } from './server.js';
export { TYPE as DNS_TYPE, RCODE as DNS_RCODE } from './message.js';
export { clusterViewFrom } from './cluster-view.js';
export { startClusterDns, hostNameservers, type ClusterDnsOptions } from './runner.js';
