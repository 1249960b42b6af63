// One engine root opened: the metadata DB, content store, snapshots, images and containers wired
// together. Both the docker-verb CLI and the kubelet's runtime open one of these.
import fs from 'node:fs';
import { ContainerEngine } from './containers/manager.js';
import { ContentStore } from './content/store.js';
import { ImageStore } from './images/store.js';
import { MetadataDB } from './metadata/db.js';
import type { NetworkProvider } from './network-provider.js';
import { enginePaths, type EnginePaths } from './paths.js';
import { Snapshots } from './snapshots/overlay.js';

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
  }

  close(): void {
    this.db.close();
  }
}
