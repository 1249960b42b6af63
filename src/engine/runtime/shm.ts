// A pod sandbox's shared /dev/shm, as CRI-O and dockershim give one: a 64 MB tmpfs mounted on the host in
// the sandbox's own directory under the engine root, bind-mounted into each of its containers. The
// containers join the sandbox's IPC namespace, so the engine gives them no /dev/shm of their own; one
// tmpfs per pod makes shm_open() work and lets a pod's containers share POSIX shared memory, while
// another pod's containers see another tmpfs. It lives outside the container's bundle directory so that
// removing the infra container never trips over a mount point, and under the engine root so that
// Engine.removeAll (skiff cleanup) unmounts whatever a crash left behind.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors.js';
import { isMounted, unmount } from '../snapshots/overlay.js';

/** The host's own shm, which a hostIPC sandbox shares (the IPC namespace is the host's too). */
export const HOST_SHM = '/dev/shm';

const SHM_OPTIONS = 'mode=1777,size=64m,nosuid,nodev,noexec';

function sandboxesDir(root: string): string {
  return path.join(root, 'sandboxes');
}

export function sandboxShmPath(root: string, sandboxId: string): string {
  return path.join(sandboxesDir(root), sandboxId, 'shm');
}

/** Mounts the sandbox's tmpfs; returns its host path. */
export function mountSandboxShm(root: string, sandboxId: string): string {
  const dir = sandboxShmPath(root, sandboxId);
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', SHM_OPTIONS, 'shm', dir], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    throw new EngineError('Runtime', `mounting the pod sandbox's /dev/shm at ${dir}: ${(r.error?.message ?? r.stderr).trim()}`);
  }
  return dir;
}

/** Unmounts and removes the sandbox's shm directory. Idempotent. */
export function releaseSandboxShm(root: string, sandboxId: string): void {
  const dir = sandboxShmPath(root, sandboxId);
  if (!fs.existsSync(dir)) return;
  if (isMounted(dir)) unmount(dir);
  // Never recurse into a mount that refused to go: that would delete the pod's files under a live tmpfs.
  if (!isMounted(dir)) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
}

/** Releases the shm of every sandbox that `exists` does not know any more (removed behind our back). */
export function releaseStaleSandboxShms(root: string, exists: (sandboxId: string) => boolean): void {
  let ids: string[];
  try {
    ids = fs.readdirSync(sandboxesDir(root));
  } catch {
    return;
  }
  for (const id of ids) if (!exists(id)) releaseSandboxShm(root, id);
}
