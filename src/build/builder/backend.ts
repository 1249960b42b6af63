// What the builder needs from a container engine, and the image config documents it writes. The
// builder decides what each step means (config, cache key, history); the backend runs containers,
// snapshots filesystems and stores images. engine-backend.ts implements this on skiff's engine.
import type { Writable } from 'node:stream';

/** docker's container Config as images carry it (`config` and `container_config`). */
export interface RunConfig {
  User?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  StopSignal?: string;
  Healthcheck?: unknown;
  ArgsEscaped?: boolean;
}

/** The image config JSON (its sha256 is the image ID). */
export interface ImageDoc {
  architecture: string;
  os: string;
  created?: string;
  author?: string;
  container?: string;
  config?: RunConfig;
  container_config?: RunConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; author?: string; comment?: string; empty_layer?: boolean }>;
  [key: string]: unknown;
}

export interface BuilderImage {
  /** sha256:… image ID ('' for scratch). */
  id: string;
  doc: ImageDoc;
  /** When the image was made, for "newest cache match wins". */
  created: string;
}

/** A container made for one build step, kept until its changes are committed or it is removed. */
export interface Workspace {
  id: string;
}

export interface RunRequest {
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
  /** Container network mode: host (the default), none, or a network the engine knows. */
  network: string;
  /** Called with the container's ID once it exists, before any output. */
  onStart(containerId: string): void;
}

export interface BuildBackend {
  /** FROM: the local image by name or ID, pulled when absent (progress to `out`). */
  baseImage(name: string, out: Writable): Promise<BuilderImage>;
  /** Images this builder made on top of `parentId` ('' = scratch): the cache candidates. */
  children(parentId: string): BuilderImage[];
  /** A container on `parentId` ('' = empty filesystem) whose mounted rootfs `fill` writes into. */
  workspace(parentId: string, fill: (rootfs: string) => void): Promise<Workspace>;
  /** Runs a command in a new container on `parentId` (host network), streaming its output. */
  run(parentId: string, req: RunRequest, out: Writable): Promise<{ workspace: Workspace; exitCode: number }>;
  /** Read access to an image's files (COPY --from). */
  withRootfs<T>(imageId: string, fn: (dir: string) => Promise<T>): Promise<T>;
  /**
   * Stores a new image whose parent is `parentId`: the workspace's changes (if any) become a layer;
   * `makeDoc` receives the new layer's diff ID (undefined when nothing changed) and returns the config.
   */
  commit(parentId: string, workspace: Workspace | undefined, makeDoc: (diffId: string | undefined) => ImageDoc): Promise<string>;
  removeWorkspace(workspace: Workspace): Promise<void>;
  /** Points `name` at the image; returns the name as docker shows it (static_web:latest). */
  tag(imageId: string, name: string): string;
}
