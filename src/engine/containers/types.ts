// A container as the engine stores it: docker's inspect shape (Config, HostConfig, State) plus the
// engine-only settings the CRI-shaped runtime needs (shared namespaces, CRI log path, cgroup parent).
import type { MountSpec } from '../mounts.js';

export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Image: string;
  WorkingDir: string;
  Entrypoint: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped';
  MaximumRetryCount: number;
}

export interface HostConfig {
  NetworkMode: string;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  Privileged: boolean;
  ReadonlyRootfs: boolean;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  Init: boolean | null;
  Memory: number;
  MemorySwap: number;
  NanoCpus: number;
  CpuShares: number;
  CpuQuota: number;
  CpuPeriod: number;
  PidsLimit: number | null;
  ShmSize: number;
  OomScoreAdj: number;
  LogConfig: { Type: string; Config: Record<string, string> };
  SecurityOpt: string[] | null;
  Sysctls: Record<string, string>;
  Ulimits: Array<{ Name: string; Soft: number; Hard: number }> | null;
  ExtraHosts: string[] | null;
  Dns: string[] | null;
  PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>>;
  Binds: string[] | null;
  /** Extra groups of the container's process (docker's --group-add; the kubelet's supplementalGroups/fsGroup). */
  GroupAdd?: string[] | null;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

/** Namespaces a container joins instead of creating (pod sandboxes); values are /proc/…/ns/… or bind-mounted paths. */
export interface SharedNamespaces {
  network?: string;
  ipc?: string;
  uts?: string;
  pid?: string;
}

export interface EngineExtras {
  namespaces?: SharedNamespaces;
  /** Where conmon writes the CRI-format log (default: the container dir's ctr.log). */
  logPath?: string;
  /** Absolute cgroup parent overriding the root's default (per-pod cgroups). */
  cgroupParent?: string;
  annotations?: Record<string, string>;
  noNewPrivileges?: boolean;
  /** Run as this uid/gid regardless of the image's user (CRI's run_as_user). */
  seccompProfile?: 'unconfined' | 'default';
  /** Extra supplementary groups. */
  supplementalGroups?: number[];
  /** Marks a pod sandbox's infra container (hidden from docker-verb listings). */
  sandbox?: boolean;
  /** resolv.conf contents to use instead of the host's (a sandbox's DNS config). */
  dns?: { servers: string[]; searches: string[]; options: string[] };
  /** Bind this container's /etc/hosts, /etc/hostname, /etc/resolv.conf from another container (its sandbox). */
  etcFilesFrom?: string;
  /** docker's --network-alias: more names the container answers to on its user network. */
  networkAliases?: string[];
  /** docker's --ip: the IPv4 address asked for on its user network. */
  ipAddress?: string;
}

export interface Container {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  Image: string;
  /** The image as the user named it (docker ps shows this). */
  ImageName: string;
  Name: string;
  RestartCount: number;
  Config: ContainerConfig;
  HostConfig: HostConfig;
  Mounts: MountSpec[];
  LogPath: string;
  /** Set by an explicit stop/kill so restart policies (on-failure, unless-stopped) leave it stopped. */
  ManuallyStopped: boolean;
  ConmonPid: number;
  /**
   * Who frees the runtime (runc state, network, rootfs mount) of the run that ended at FinishedAt: one
   * process claims each exit; the others wait until it is Done, so none of them frees a later run's.
   */
  ExitCleanup?: { FinishedAt: string; Pid: number; Done: boolean };
  NetworkSettings: NetworkSettings;
  Extras: EngineExtras;
}

export interface NetworkSettings {
  Networks: Record<string, { IPAddress: string; Gateway: string; IPPrefixLen: number; MacAddress: string; NetworkID: string }>;
  Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
  SandboxKey: string;
}
