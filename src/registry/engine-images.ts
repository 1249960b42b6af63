// Moving images between skiff's engine and registries: pull into the engine's content store and image
// store, and push an engine image (its config and layer blobs as stored) under a name. The registry
// settings come from the engine's daemon.json-style config file.
import fs from 'node:fs';
import path from 'node:path';
import { canonical, familiarName, parseReference, type Engine, type Image } from '../engine/index.js';
import { pullImage, type PulledImage, type Platform } from './client/pull.js';
import { pushImage, type PushableImage } from './client/push.js';
import { loadRegistrySettings, type Credentials, type RegistrySettings } from './client/config.js';
import type { ProgressOutput } from './client/progress.js';
import { MEDIA_TYPES, type Descriptor } from './types.js';

/** The engine config file: `<root>/daemon.json`, else `/etc/skiff/daemon.json`. */
export function engineConfigFile(root: string): string | undefined {
  for (const file of [path.join(root, 'daemon.json'), '/etc/skiff/daemon.json']) {
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

export function engineRegistrySettings(root: string): RegistrySettings {
  return loadRegistrySettings(engineConfigFile(root));
}

export interface TransferOptions {
  settings: RegistrySettings;
  progress: ProgressOutput;
  credentials?: (host: string) => Credentials | undefined;
}

/** The content-store blobs of an image's layers, bottom first. */
export function layerBlobs(engine: Engine, image: Image): string[] {
  return image.chain.map((chainId) => {
    const layer = engine.db.getLayer(chainId);
    if (!layer) throw new Error(`layer ${chainId} of image ${image.id} is missing from the layer store`);
    return layer.blob;
  });
}

function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(2);
  fs.readSync(fd, head, 0, 2, 0);
  fs.closeSync(fd);
  return head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * The manifest for an engine image: docker schema2 when every layer is gzip (as pulled), otherwise an
 * OCI manifest with plain-tar layers (as built here) — both are what registries and docker accept.
 */
export function manifestFor(engine: Engine, image: Image): PushableImage {
  const blobs = layerBlobs(engine, image);
  const gz = blobs.map((b) => isGzip(engine.content.path(b)));
  const docker = gz.every(Boolean);
  const layers: Descriptor[] = blobs.map((digest, i) => ({
    mediaType: docker ? MEDIA_TYPES.dockerLayer : gz[i] ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.ociLayer,
    digest,
    size: fs.statSync(engine.content.path(digest)).size,
  }));
  const config: Descriptor = {
    mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig,
    digest: image.id,
    size: fs.statSync(engine.content.path(image.id)).size,
  };
  const mediaType = docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest;
  const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config, layers }, null, 3));
  return { manifestBytes, mediaType, config, layers };
}

/** `pull NAME`: returns the stored image and what was pulled. */
export async function pullToEngine(engine: Engine, name: string, options: TransferOptions & { platform?: Platform }): Promise<{ image: Image; pulled: PulledImage; canonicalName: string }> {
  const ref = parseReference(name);
  const canonicalName = canonical(ref);
  let image: Image | undefined;
  const pulled = await pullImage(ref, {
    ...options,
    store: engine.content,
    displayName: familiarName(canonicalName),
    importImage: async (p) => {
      const before = engine.images.lookup(canonicalName);
      const configBytes = engine.content.read(p.config.digest);
      const tags = [canonicalName, `${ref.domain}/${ref.path}@${p.repoDigest}`];
      image = await engine.images.add(configBytes, p.layers.map((l) => l.digest), { tags, source: 'pulled' });
      return { upToDate: before?.id === image.id };
    },
  });
  return { image: image!, pulled, canonicalName };
}

/**
 * `push NAME`: the image the name points at, uploaded under that name. Other names of the image in the
 * same registry (it was pulled from or pushed to them) are tried as cross-repository mount sources.
 */
export async function pushFromEngine(engine: Engine, name: string, options: TransferOptions & { chunkSize?: number }): Promise<string> {
  const ref = parseReference(name);
  const image = engine.images.lookup(canonical(ref));
  if (!image) throw new Error(`An image does not exist locally with the tag: ${familiarName(canonical(ref)).replace(/:latest$/, '')}`);
  const siblings = [...new Set(image.tags.map((t) => parseReference(t)).filter((r) => r.domain === ref.domain && r.path !== ref.path).map((r) => r.path))];
  return pushImage(ref, manifestFor(engine, image), { ...options, store: engine.content, mountSources: () => siblings });
}
