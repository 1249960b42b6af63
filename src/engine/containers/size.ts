// The size of a container's writable layer (docker's SizeRw): what ps -s, system df and prune report;
// and of a volume's data for system df.
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine.js';
import type { Container } from './types.js';

/** Bytes in the regular files below dir (0 when it is gone). */
export function dirSize(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) total += dirSize(full);
    else if (e.isFile()) total += fs.lstatSync(full).size;
  }
  return total;
}

/** Bytes in the container's overlay upper directory. */
export function rwSize(engine: Engine, c: Container): number {
  return dirSize(path.join(engine.containers.dir(c.Id), 'upper'));
}
