// Node IPAM: pod CIDRs for nodes from the cluster CIDR.
export { NodeIpamController, DEFAULT_CLUSTER_CIDR } from './controller.js';
export { CidrSet, parseCidr, formatCidr, type Cidr } from './cidr.js';
