// CRI-shaped request and status types (k8s.io/cri-api runtime/v1, trimmed to what skiff's kubelet uses),
// in plain engine terms: the engine knows nothing of pods beyond "a sandbox that containers join".

export interface KeyValue {
  key: string;
  value: string;
}

export interface SandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort: number;
  hostIp: string;
}

export interface PodSandboxConfig {
  metadata: SandboxMetadata;
  hostname?: string;
  /** Directory under which container log paths are relative (CRI log_directory). */
  logDirectory?: string;
  dnsConfig?: { servers: string[]; searches: string[]; options: string[] };
  portMappings?: PortMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Share the host's network namespace (hostNetwork). */
  hostNetwork?: boolean;
  /** The sandbox's containers share the host's PID namespace (hostPID; default: one each). */
  hostPID?: boolean;
  /** The sandbox's containers share the host's IPC namespace (hostIPC; default: the sandbox's). */
  hostIPC?: boolean;
  /** Network to attach the sandbox to through the engine's network provider; default none. */
  network?: string;
  /** Absolute cgroup parent for the sandbox's containers. */
  cgroupParent?: string;
}

export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandboxStatus {
  id: string;
  metadata: SandboxMetadata;
  state: SandboxState;
  /** Nanoseconds since the epoch. */
  createdAt: bigint;
  network: { ip: string };
  netnsPath: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface CriMount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  /** PROPAGATION_PRIVATE (default), PROPAGATION_HOST_TO_CONTAINER, PROPAGATION_BIDIRECTIONAL. */
  propagation?: 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
}

export interface LinuxResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  pidsLimit?: number;
  oomScoreAdj?: number;
}

export interface SecurityContext {
  privileged?: boolean;
  capabilities?: { addCapabilities?: string[]; dropCapabilities?: string[] };
  runAsUser?: number;
  runAsGroup?: number;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  noNewPrivs?: boolean;
  supplementalGroups?: number[];
}

export interface ContainerConfigCRI {
  metadata: ContainerMetadata;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: CriMount[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Relative to the sandbox's logDirectory. */
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: { resources?: LinuxResources; securityContext?: SecurityContext };
  stopSignal?: string;
}

export type ContainerStateCRI = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface ContainerStatusCRI {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  state: ContainerStateCRI;
  createdAt: bigint;
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  image: string;
  imageRef: string;
  /** Completed, Error, OOMKilled, ContainerCannotRun (kubelet's reasons). */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: CriMount[];
  logPath: string;
  pid: number;
}

export interface ContainerStatsCRI {
  id: string;
  /** Nanoseconds since the epoch. */
  timestamp: bigint;
  cpuUsageCoreNanoSeconds: bigint;
  memoryWorkingSetBytes: number;
  memoryUsageBytes: number;
  pids: number;
}

export interface ImageStatusCRI {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  user: string;
}

/** Fetches an image from a registry into the engine (provided by the registry client). */
export type ImagePuller = (ref: string, auth?: { username?: string; password?: string; auth?: string }) => Promise<void>;
