// Images: configs in the content store, layers as snapshots, names in the metadata tag table. Lookups
// follow docker: a name is normalised (busybox → docker.io/library/busybox:latest), a hex string is an
// image ID prefix, and the offline busybox image is built on first use.
import fs from 'node:fs';
import path from 'node:path';
import type { ContentStore } from '../content/store.js';
import { conflict, invalid, notFound } from '../errors.js';
import type { MetadataDB, ImageRow } from '../metadata/db.js';
import { chainIdOf, type Snapshots } from '../snapshots/overlay.js';
import { buildBusyboxLayer, busyboxConfig, BUSYBOX_NAME } from './busybox.js';
import { canonical, familiarName, parseReference } from './reference.js';
import type { Image, ImageConfig } from './types.js';

export interface AddImageOptions {
  /** Canonical or familiar names to point at the new image. */
  tags?: string[];
  /** 'local' for images built or committed here. */
  source?: string;
  parent?: string;
}

/** Who uses an image, so rmi can refuse like docker. */
export type ImageUsers = (imageId: string) => Array<{ id: string; running: boolean }>;

const HEX_PREFIX = /^(?:sha256:)?([0-9a-f]{1,64})$/;

export class ImageStore {
  constructor(
    private readonly db: MetadataDB,
    readonly content: ContentStore,
    readonly snapshots: Snapshots,
  ) {}

  /** Finds an image by name, full or short ID; builds the offline busybox image when it is asked for. */
  async resolve(ref: string): Promise<Image> {
    const found = this.lookup(ref);
    if (found) return found;
    if (isBusybox(ref)) {
      await this.ensureBusybox();
      const built = this.lookup(ref);
      if (built) return built;
    }
    throw notFound(`No such image: ${ref}`);
  }

  /** The image a name or ID refers to, without building anything. */
  lookup(ref: string): Image | undefined {
    const hex = HEX_PREFIX.exec(ref);
    if (hex && (ref.startsWith('sha256:') || hex[1].length >= 12 || !this.tagFor(ref))) {
      const ids = this.db.imagesByPrefix(`sha256:${hex[1]}`);
      if (ids.length === 1) return this.get(ids[0]);
      if (ids.length > 1) throw conflict(`image ID prefix ${ref} is ambiguous`);
      if (ref.startsWith('sha256:')) return undefined;
    }
    const id = this.tagFor(ref);
    return id ? this.get(id) : undefined;
  }

  private tagFor(ref: string): string | undefined {
    try {
      return this.db.tag(canonical(parseReference(ref)));
    } catch {
      return undefined;
    }
  }

  get(id: string): Image | undefined {
    const row = this.db.getImage(id);
    return row ? this.toImage(row) : undefined;
  }

  list(): Image[] {
    return this.db.listImages().map((r) => this.toImage(r));
  }

  private toImage(row: ImageRow): Image {
    return {
      id: row.id,
      config: JSON.parse(row.config) as ImageConfig,
      tags: this.db.tagsOf(row.id),
      created: row.created,
      size: row.size,
      chain: row.chain,
      parent: row.parent,
      source: row.source,
    };
  }

  /**
   * Adds an image from its config bytes (kept verbatim: the ID is their sha256) and its layer blobs,
   * already in the content store, one per `rootfs.diff_ids` entry. Missing layers are unpacked.
   */
  async add(configBytes: Buffer, layerBlobs: string[], opts: AddImageOptions = {}): Promise<Image> {
    const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== layerBlobs.length) {
      throw invalid(`image config lists ${diffIds.length} layers but ${layerBlobs.length} were given`);
    }
    const id = this.content.put(configBytes);
    const chain: string[] = [];
    let size = 0;
    for (let i = 0; i < diffIds.length; i++) {
      const chainId = chainIdOf(chain[i - 1] ?? '', diffIds[i]);
      const blob = layerBlobs[i];
      await this.snapshots.createLayer(chainId, (dir) => this.snapshots.unpack(this.content.path(blob), dir));
      const layerSize = this.db.getLayer(chainId)?.size ?? fs.statSync(this.content.path(blob)).size;
      this.db.putLayer({ chainId, diffId: diffIds[i], parent: chain[i - 1] ?? '', size: layerSize, blob });
      chain.push(chainId);
      size += layerSize;
    }
    const created = config.created ?? new Date().toISOString();
    this.db.tx(() => {
      this.db.putImage({ id, config: configBytes.toString('utf8'), created, size, chain, parent: opts.parent ?? '', source: opts.source ?? '' });
      for (const t of opts.tags ?? []) this.db.setTag(canonical(parseReference(t)), id);
    });
    return this.get(id)!;
  }

  tag(ref: string, target: string): void {
    const name = canonical(parseReference(target));
    const image = this.lookup(ref);
    if (!image) throw notFound(`No such image: ${ref}`);
    this.db.setTag(name, image.id);
  }

  /**
   * docker rmi: a tag of an image with other tags is only untagged; otherwise the image and the layers no
   * other image uses are deleted. Returns docker's report lines (Untagged: …, Deleted: …).
   */
  remove(ref: string, force: boolean, users: ImageUsers): string[] {
    const image = this.lookup(ref);
    if (!image) throw notFound(`No such image: ${ref}`);
    const byName = !HEX_PREFIX.test(ref) || !image.id.replace('sha256:', '').startsWith(ref.replace('sha256:', ''));
    const lines: string[] = [];
    const short = image.id.slice(7, 19);
    const using = users(image.id);
    const running = using.find((u) => u.running);
    if (byName) {
      const name = canonical(parseReference(ref));
      if (image.tags.length > 1) {
        this.db.deleteTag(name);
        return [`Untagged: ${familiarName(name)}`];
      }
      if (using.length && !force) {
        throw conflict(`conflict: unable to remove repository reference "${ref}" (must force) - container ${using[0].id.slice(0, 12)} is using its referenced image ${short}`);
      }
    } else if (image.tags.length > 1 && !force) {
      throw conflict(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
    }
    if (running) {
      if (byName && force) {
        for (const t of image.tags) lines.push(`Untagged: ${familiarName(t)}`);
        this.db.tx(() => image.tags.forEach((t) => this.db.deleteTag(t)));
        return lines;
      }
      throw conflict(`conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`);
    }
    if (using.length && !force) {
      throw conflict(`conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${using[0].id.slice(0, 12)}`);
    }
    for (const t of image.tags) lines.push(`Untagged: ${familiarName(t)}`);
    if (using.length) {
      // Docker keeps an image that containers still need; forcing only drops its names.
      this.db.tx(() => image.tags.forEach((t) => this.db.deleteTag(t)));
      return lines;
    }
    this.db.tx(() => this.db.deleteImage(image.id));
    lines.push(`Deleted: ${image.id}`);
    this.content.delete(image.id);
    const used = this.db.usedChains();
    for (const chainId of [...image.chain].reverse()) {
      if (used.has(chainId)) break;
      this.db.deleteLayer(chainId);
      this.snapshots.removeLayer(chainId);
    }
    return lines;
  }

  /** Creates docker.io/library/busybox:latest from the host's static busybox when absent. */
  async ensureBusybox(): Promise<Image> {
    const existing = this.lookup(BUSYBOX_NAME);
    if (existing) return existing;
    const work = fs.mkdtempSync(path.join(path.dirname(this.snapshots.dir), 'tmp-busybox-'));
    try {
      const tree = path.join(work, 'fs');
      fs.mkdirSync(tree);
      buildBusyboxLayer(tree);
      const tarFile = this.content.tempPath();
      const { diffId } = this.snapshots.writeTree(tree, tarFile);
      this.content.adopt(tarFile, diffId);
      return await this.add(Buffer.from(JSON.stringify(busyboxConfig(diffId))), [diffId], { tags: [BUSYBOX_NAME] });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}

function isBusybox(ref: string): boolean {
  try {
    return canonical(parseReference(ref)) === BUSYBOX_NAME;
  } catch {
    return false;
  }
}

