// `push`: upload the blobs the registry lacks (HEAD first; a cross-repository mount when the blob is
// known to live in another repository of the same registry), then PUT the manifest under the tag, with
// docker's lines: `The push refers to repository […]`, `<id>: Pushed`, `<tag>: digest: … size: N`.
import fs from 'node:fs';
import { RegistryError, type BlobStore } from './client.js';
import { clientsFor, type ClientContext, type ImageRef } from './endpoints.js';
import { shortId } from './pull.js';
import type { ProgressOutput } from './progress.js';
import type { Descriptor } from '../types.js';

export interface PushableImage {
  manifestBytes: Buffer;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface PushOptions extends ClientContext {
  store: BlobStore;
  progress: ProgressOutput;
  /** Upload in PATCH chunks of this many bytes instead of one PUT. */
  chunkSize?: number;
  /** Other repositories (same registry) that already hold a blob: tried as mount sources. */
  mountSources?: (digest: string) => string[];
}

export async function pushImage(ref: ImageRef, image: PushableImage, options: PushOptions): Promise<string> {
  const { store, progress } = options;
  const [client] = clientsFor(ref, options, true);
  progress.line(`The push refers to repository [${ref.domain}/${ref.path}]`);
  const layers = image.layers.filter((l, i, all) => all.findIndex((o) => o.digest === l.digest) === i);
  for (const layer of [...layers].reverse()) progress.status(shortId(layer.digest), 'Preparing');
  const upload = async (blob: Descriptor, show: boolean): Promise<void> => {
    const id = shortId(blob.digest);
    if ((await client.blobSize(ref.path, blob.digest)) !== undefined) {
      if (show) progress.status(id, 'Layer already exists');
      return;
    }
    for (const from of options.mountSources?.(blob.digest) ?? []) {
      if (from !== ref.path && (await client.mountBlob(ref.path, blob.digest, from))) {
        if (show) progress.status(id, `Mounted from ${from}`);
        return;
      }
    }
    if (!store.has(blob.digest)) throw new RegistryError(`blob ${blob.digest} is missing from the local content store`, 0, 'BLOB_UNKNOWN');
    if (show) progress.progress(id, 'Pushing', 0, fs.statSync(store.path(blob.digest)).size);
    await client.pushBlob(ref.path, blob.digest, store.path(blob.digest), { chunkSize: options.chunkSize });
    if (show) progress.status(id, 'Pushed');
  };
  for (const layer of [...layers].reverse()) await upload(layer, true);
  await upload(image.config, false);
  const tag = ref.digest || ref.tag;
  const digest = await client.putManifest(ref.path, tag, image.manifestBytes, image.mediaType);
  progress.line(`${tag}: digest: ${digest} size: ${image.manifestBytes.length}`);
  return digest;
}
