// What a pod worker needs from the node it runs on: the runtime, the API (through small typed calls),
// the node's identity and directories, and its DNS settings.
import type { EventRecorder } from '../client/index.js';
import type { Runtime } from '../engine/index.js';
import type { EnvSources } from './env.js';
import type { PullSecret } from './pull-secrets.js';
import type { Pod, PodStatus } from '../client/index.js';
import type { VolumeSources } from './volumes.js';

export interface NodeContext {
  runtime: Runtime;
  recorder: EventRecorder;
  nodeName: string;
  nodeIP: string;
  podsDir: string;
  logsDir: string;
  /** Engine network pods attach to; undefined = a private network namespace with loopback only. */
  podNetwork?: string;
  /** Whether the node can route to pod IPs (a pod network is configured). */
  podIPReachable: boolean;
  memoryCapacity: number;
  /** For pods' FQDNs (<hostname>.<subdomain>.<namespace>.svc.<domain>). */
  clusterDomain: string;
  log(message: string): void;
  envSources(pod: Pod): EnvSources;
  volumeSources(pod: Pod): VolumeSources;
  /** The pod's image pull secrets (its service account's when it names none); missing = names not found. */
  imagePullSecrets(pod: Pod): Promise<{ secrets: PullSecret[]; missing: string[] }>;
  dnsConfig(pod: Pod): { servers: string[]; searches: string[]; options: string[] } | undefined;
  /** Writes the status; returns the updated pod, or undefined when it is gone. */
  patchStatus(pod: Pod, status: PodStatus): Promise<Pod | undefined>;
  /** Removes the API object after its containers stopped (grace period 0, same uid). */
  deletePod(pod: Pod): Promise<void>;
}
