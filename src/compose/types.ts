// The compose model after loading: every service field in one canonical shape (lists of `K=V` turned
// into maps, short port/volume syntax into long, commands into argv), named as the compose spec names
// them so `compose config` prints it as docker compose does.

export interface PortConfig {
  target: number;
  /** Host port or range ("8080", "8000-8010"); absent for a random host port. */
  published?: string;
  host_ip?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
}

export interface ServiceVolume {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Absolute host path (bind), top-level volume key (volume), absent for anonymous volumes and tmpfs. */
  source?: string;
  target: string;
  read_only?: boolean;
  bind?: { create_host_path?: boolean };
}

export interface ServiceNetwork {
  aliases?: string[];
  ipv4_address?: string;
}

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Dependency {
  condition: DependsCondition;
  required: boolean;
  restart?: boolean;
}

export interface Healthcheck {
  /** ["CMD", …], ["CMD-SHELL", cmd] or ["NONE"]. */
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  disable?: boolean;
}

export interface BuildConfig {
  context: string;
  dockerfile?: string;
  args?: Record<string, string>;
  target?: string;
}

export interface Service {
  name: string;
  image?: string;
  build?: BuildConfig;
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: Record<string, string>;
  env_file?: string[];
  ports?: PortConfig[];
  expose?: string[];
  volumes?: ServiceVolume[];
  tmpfs?: string[];
  networks?: Record<string, ServiceNetwork | null>;
  network_mode?: string;
  depends_on?: Record<string, Dependency>;
  links?: string[];
  restart?: string;
  labels?: Record<string, string>;
  healthcheck?: Healthcheck;
  working_dir?: string;
  user?: string;
  hostname?: string;
  domainname?: string;
  container_name?: string;
  scale?: number;
  deploy?: { replicas?: number; restart_policy?: { condition?: string; max_attempts?: number }; [k: string]: unknown };
  tty?: boolean;
  stdin_open?: boolean;
  privileged?: boolean;
  read_only?: boolean;
  init?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  dns?: string[];
  extra_hosts?: string[];
  stop_signal?: string;
  stop_grace_period?: string;
  mem_limit?: string;
  cpus?: string;
  pids_limit?: number;
  shm_size?: string;
  ulimits?: Record<string, { soft: number; hard: number }>;
  sysctls?: Record<string, string>;
  security_opt?: string[];
  profiles?: string[];
  pull_policy?: string;
  logging?: { driver?: string; options?: Record<string, string> };
}

export interface NetworkConfig {
  name: string;
  external?: boolean;
  driver?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  ipam?: { config?: Array<{ subnet?: string; gateway?: string }> };
}

export interface VolumeConfig {
  name: string;
  external?: boolean;
  driver?: string;
  labels?: Record<string, string>;
}

export interface Project {
  name: string;
  /** The project directory: relative paths of the files resolve against it. */
  workingDir: string;
  configFiles: string[];
  services: Record<string, Service>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  /** Services left out because none of their profiles is active. */
  disabled: Record<string, Service>;
}

/** Raised for a compose file or project that is not valid; the message is what docker compose prints. */
export class ComposeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeError';
  }
}
