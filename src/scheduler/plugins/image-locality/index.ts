// ImageLocality: prefers nodes that already have the pod's images, weighted by image size and by how
// many nodes share the image (so pods do not all pile onto the one node with a rare image).
import { MAX_NODE_SCORE, SKIP, type Plugin, type Snapshot } from '../../framework.js';
import type { Node } from '../../types.js';

export const NAME = 'ImageLocality';
const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const STATE_KEY = 'ImageLocality/snapshot';

/** "nginx" and "nginx:latest" are one image; digests and explicit tags stay as they are. */
export function normalizedImageName(image: string): string {
  if (image.includes('@')) return image;
  return image.lastIndexOf(':') <= image.lastIndexOf('/') ? `${image}:latest` : image;
}

const nodeImages = new WeakMap<Node, Map<string, number>>();

/** The node's images by normalized name → size. */
export function imagesOf(node: Node): Map<string, number> {
  let images = nodeImages.get(node);
  if (!images) {
    images = new Map();
    for (const img of node.status?.images ?? []) for (const name of img.names ?? []) images.set(normalizedImageName(name), img.sizeBytes ?? 0);
    nodeImages.set(node, images);
  }
  return images;
}

export function imageLocality(): Plugin {
  return {
    name: NAME,
    preScore: (state, pod, _nodes, snapshot) => {
      // No node has any of the images: every node would score 0.
      const images = [...(pod.pod.spec.initContainers ?? []), ...(pod.pod.spec.containers ?? [])].map((c) => normalizedImageName(c.image ?? ''));
      if (!images.some((i) => snapshot.imageNodeCount(i) > 0)) return SKIP;
      state.write(STATE_KEY, snapshot);
      return undefined;
    },
    score: (state, pod, node) => {
      const snapshot = state.read<Snapshot>(STATE_KEY)!;
      const images = imagesOf(node.node);
      const containers = [...(pod.pod.spec.initContainers ?? []), ...(pod.pod.spec.containers ?? [])];
      let sum = 0;
      if (images.size) {
        for (const c of containers) {
          const name = normalizedImageName(c.image ?? '');
          const size = images.get(name);
          if (size !== undefined) sum += Math.trunc((size * snapshot.imageNodeCount(name)) / Math.max(1, snapshot.nodes.length));
        }
      }
      const max = MAX_CONTAINER_THRESHOLD * Math.max(1, containers.length);
      const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
      return Math.floor((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
    },
  };
}
