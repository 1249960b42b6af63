// docker system df: what the images, containers and volumes of one engine root hold and which of them are
// in use — one answer for `skiff system df` and GET /system/df.
import { rwSize, dirSize } from './containers/size.js';
import type { Container } from './containers/types.js';
import type { Engine } from './engine.js';
import type { Image } from './images/types.js';
import { usersByVolume } from './volumes/usage.js';
import type { Volume } from './volumes/index.js';

export interface DiskUsage {
  /** Every image with the number of containers made from it. */
  images: Array<{ image: Image; containers: number }>;
  /** Every container (pod sandboxes left out) with the size of its writable layer. */
  containers: Array<{ container: Container; sizeRw: number }>;
  /** Every volume with the number of containers mounting it and the bytes it holds. */
  volumes: Array<{ volume: Volume; refCount: number; size: number }>;
}

/** `volumes`: the root's volumes (the caller has the store open). */
export function diskUsage(engine: Engine, volumes: Volume[]): DiskUsage {
  const containers = engine.containers.list().filter((c) => !c.Extras.sandbox);
  const imageUsers = new Map<string, number>();
  for (const c of containers) imageUsers.set(c.Image, (imageUsers.get(c.Image) ?? 0) + 1);
  const volumeUsers = usersByVolume(containers);
  return {
    images: engine.images.list().map((image) => ({ image, containers: imageUsers.get(image.id) ?? 0 })),
    containers: containers.map((container) => ({ container, sizeRw: rwSize(engine, container) })),
    volumes: volumes.map((volume) => ({
      volume,
      refCount: volumeUsers.get(volume.Name)?.length ?? 0,
      size: dirSize(volume.Mountpoint),
    })),
  };
}
