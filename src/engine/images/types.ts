// The OCI/docker image config as stored (only the fields skiff reads or writes are typed).

/** The runtime defaults an image carries (docker's Config section). */
export interface ImageRuntimeConfig {
  Hostname?: string;
  User?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  Healthcheck?: unknown;
  ArgsEscaped?: boolean;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  created?: string;
  author?: string;
  comment?: string;
  container?: string;
  docker_version?: string;
  config?: ImageRuntimeConfig;
  container_config?: ImageRuntimeConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
}

export interface Image {
  /** sha256:<hex> of the config bytes. */
  id: string;
  config: ImageConfig;
  /** Canonical names (docker.io/library/busybox:latest) pointing at this image. */
  tags: string[];
  created: string;
  /** Unpacked size of all layers in bytes. */
  size: number;
  /** Chain IDs of the layers, bottom first. */
  chain: string[];
  parent: string;
  source: string;
}
