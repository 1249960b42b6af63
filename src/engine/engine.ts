// One engine root opened: the metadata DB, content store, snapshots, images and containers wired
// together. Both the docker-verb CLI and the kubelet's runtime open one of these.
import fs from 'node:fs';
import { ContainerEngine } from './containers/manager.js';
import { ContentStore } from './content/store.js';
import { ImageStore } from './images/store.js';
import { MetadataDB } from './metadata/db.js';
import type { NetworkProvider } from './network-provider.js';
import { enginePaths, type EnginePaths } from './paths.js';
import { Snapshots, unmount } from './snapshots/overlay.js';
import { removeCgroupDir } from './containers/cgroups.js';
import { releaseRootNetworks } from './networks/index.js';
import { traceMark } from './trace.js';

export interface EngineOptions {
  root: string;
  networkProvider?: NetworkProvider;
  /** argv that runs exit handling for a container id (`skiff --root R container cleanup ID`). */
  cleanupCommand?: (id: string) => string[];
}

export class Engine {
  readonly paths: EnginePaths;
  readonly db: MetadataDB;
  readonly content: ContentStore;
  readonly snapshots: Snapshots;
  readonly images: ImageStore;
  readonly containers: ContainerEngine;

  constructor(opts: EngineOptions) {
    this.paths = enginePaths(opts.root);
    for (const dir of [this.paths.blobs, this.paths.snapshots, this.paths.containers, this.paths.runcRoot]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    this.db = new MetadataDB(this.paths.db);
    this.content = new ContentStore(this.paths.blobs);
    this.snapshots = new Snapshots(this.paths.snapshots);
    this.images = new ImageStore(this.db, this.content, this.snapshots);
    this.containers = new ContainerEngine({
      paths: this.paths,
      db: this.db,
      images: this.images,
      snapshots: this.snapshots,
      networkProvider: opts.networkProvider,
      cleanupCommand: opts.cleanupCommand,
    });
    traceMark('engine opened');
  }

  close(): void {
    this.db.close();
  }

  /**
   * Removes every container of this root and what they left on the host (mounts, the root's cgroup
   * parent), for `skiff cleanup` and tests. Nothing outside this root is touched.
   */
  async removeAll(): Promise<void> {
    for (const c of this.containers.list()) await this.containers.remove(c.Id, { force: true }).catch(() => undefined);
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter(Boolean);
    for (const m of mounts.filter((p) => p.startsWith(this.paths.root + '/')).reverse()) unmount(m);
    removeCgroupDir(this.paths.cgroupParent);
    await releaseRootNetworks(this.paths.root);
  }
}
