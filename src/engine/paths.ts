// Where everything of one engine root lives on disk, and the host-level names derived from the root so
// two roots (two tests, two agents) never share a runc state dir, a cgroup parent or a netns name.
import crypto from 'node:crypto';
import path from 'node:path';

export interface EnginePaths {
  root: string;
  db: string;
  blobs: string;
  snapshots: string;
  containers: string;
  runcRoot: string;
  netns: string;
  tmp: string;
  /** Absolute cgroup path (same under every v1 controller and in v2) that holds this root's containers. */
  cgroupParent: string;
}

export function rootTag(root: string): string {
  return crypto.createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 10);
}

export function enginePaths(root: string): EnginePaths {
  const abs = path.resolve(root);
  return {
    root: abs,
    db: path.join(abs, 'engine.db'),
    blobs: path.join(abs, 'content', 'blobs', 'sha256'),
    snapshots: path.join(abs, 'snapshots'),
    containers: path.join(abs, 'containers'),
    runcRoot: path.join(abs, 'runc'),
    netns: path.join(abs, 'netns'),
    tmp: path.join(abs, 'tmp'),
    cgroupParent: `/skiff-${rootTag(abs)}`,
  };
}
