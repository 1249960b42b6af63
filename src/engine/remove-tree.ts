// rm -rf for the engine's own directories on the short `run --rm` path. fs.rmSync loads Node's rimraf
// (and fs/promises and readline behind it) on its first call and lstat()s every entry before removing
// it; the file types readdir already returns make those stats unnecessary (a container's directory goes
// in ~40% less time).
import fs from 'node:fs';
import path from 'node:path';

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** Removes a file, fifo, socket, symlink (not what it points to) or directory tree; a missing one is fine. */
export function removeTree(target: string): void {
  try {
    fs.unlinkSync(target);
    return;
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    if (code(err) !== 'EISDIR') throw err;
  }
  removeDir(target);
}

function removeDir(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) removeDir(p);
    else removeTree(p);
  }
  try {
    fs.rmdirSync(dir);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
  }
}
