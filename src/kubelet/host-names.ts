// Host-level names of one node (DESIGN.md §4): the node of the default data dir gets the plain names
// (SKIFF-SERVICES, skiff0); any other data dir gets names tagged from its path, so two agents on one host
// (tests, hollow clusters) never share a chain, a bridge or a route — and cleanup of one never touches
// the other's.
import crypto from 'node:crypto';
import path from 'node:path';

export const DEFAULT_DATA_DIR = '/var/lib/skiff';

export interface HostNames {
  /** iptables chain prefix: SKIFF or SKIFF-<tag>. */
  chainPrefix: string;
  /** The bridge pods attach to. */
  podBridge: string;
  /** The empty bridge the service CIDR is routed into (src/proxy/service-route.ts). */
  serviceBridge: string;
  /** Prefix of host-side veth names of pods. */
  vethPrefix: string;
  /** The engine root of the node's containers. */
  engineRoot: string;
}

export function dataDirTag(dataDir: string): string {
  return crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 4);
}

export function hostNames(dataDir: string): HostNames {
  const abs = path.resolve(dataDir);
  const engineRoot = path.join(abs, 'engine');
  if (abs === DEFAULT_DATA_DIR) {
    return { chainPrefix: 'SKIFF', podBridge: 'skiff0', serviceBridge: 'skiffsvc0', vethPrefix: 'skv', engineRoot };
  }
  const tag = dataDirTag(abs);
  return { chainPrefix: `SKIFF-${tag}`, podBridge: `skiff${tag}`, serviceBridge: `skiffsvc${tag}`, vethPrefix: `skv${tag}`, engineRoot };
}
