// Where a container's cgroup lives on this host (v1 per controller, or the v2 unified tree) and the
// figures docker stats and the kubelet read from it.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';

export function isCgroupV2(): boolean {
  return fs.existsSync(path.join(ROOT, 'cgroup.controllers'));
}

/** Directory of `cgroupPath` for one v1 controller (memory, cpuacct, pids, freezer, blkio, ...), or the v2 dir. */
export function cgroupDir(cgroupPath: string, controller: string): string {
  return isCgroupV2() ? path.join(ROOT, cgroupPath) : path.join(ROOT, controller, cgroupPath);
}

/** Removes an (empty) cgroup directory in every hierarchy; busy or missing ones are left alone. */
export function removeCgroupDir(cgroupPath: string): void {
  const dirs = isCgroupV2() ? [path.join(ROOT, cgroupPath)] : fs.readdirSync(ROOT).map((c) => path.join(ROOT, c, cgroupPath));
  for (const dir of dirs) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // not empty (other containers of this root) or never created in this hierarchy
    }
  }
}

/**
 * Removes a container's own cgroup in every hierarchy; false if one still has processes (or cannot
 * be removed for another reason), so the caller falls back to the runtime.
 */
export function removeCgroupLeaf(cgroupPath: string): boolean {
  const dirs = isCgroupV2() ? [path.join(ROOT, cgroupPath)] : fs.readdirSync(ROOT).map((c) => path.join(ROOT, c, cgroupPath));
  let ok = true;
  for (const dir of dirs) {
    try {
      fs.rmdirSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') ok = false;
    }
  }
  return ok;
}

function readNumber(file: string): number | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return text === 'max' ? undefined : Number(text);
  } catch {
    return undefined;
  }
}

function readKeyed(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const [k, v] = line.trim().split(/\s+/);
      if (k && v !== undefined) out[k] = Number(v);
    }
  } catch {
    // controller not present for this container
  }
  return out;
}

export interface CgroupStats {
  /** Total CPU time in nanoseconds. */
  cpuNanos: number;
  memoryUsage: number;
  /** Usage minus inactive file cache, as docker shows it. */
  memoryWorkingSet: number;
  /** undefined when unlimited. */
  memoryLimit?: number;
  pids: number;
  pidsLimit?: number;
  blkioRead: number;
  blkioWrite: number;
}

const V1_UNLIMITED = 9223372036854771712;

export function readCgroupStats(cgroupPath: string): CgroupStats {
  if (isCgroupV2()) {
    const dir = path.join(ROOT, cgroupPath);
    const cpu = readKeyed(path.join(dir, 'cpu.stat'));
    const mem = readKeyed(path.join(dir, 'memory.stat'));
    const usage = readNumber(path.join(dir, 'memory.current')) ?? 0;
    let read = 0;
    let write = 0;
    try {
      for (const line of fs.readFileSync(path.join(dir, 'io.stat'), 'utf8').split('\n')) {
        read += Number(/rbytes=(\d+)/.exec(line)?.[1] ?? 0);
        write += Number(/wbytes=(\d+)/.exec(line)?.[1] ?? 0);
      }
    } catch {
      // no io controller
    }
    const inactive = mem.inactive_file ?? 0;
    return {
      cpuNanos: (cpu.usage_usec ?? 0) * 1000,
      memoryUsage: usage,
      memoryWorkingSet: inactive < usage ? usage - inactive : usage,
      memoryLimit: readNumber(path.join(dir, 'memory.max')),
      pids: readNumber(path.join(dir, 'pids.current')) ?? 0,
      pidsLimit: readNumber(path.join(dir, 'pids.max')),
      blkioRead: read,
      blkioWrite: write,
    };
  }
  const mem = (f: string): string => path.join(ROOT, 'memory', cgroupPath, f);
  const usage = readNumber(mem('memory.usage_in_bytes')) ?? 0;
  const inactive = readKeyed(mem('memory.stat')).total_inactive_file ?? 0;
  const limit = readNumber(mem('memory.limit_in_bytes'));
  let read = 0;
  let write = 0;
  for (const name of ['blkio.throttle.io_service_bytes_recursive', 'blkio.throttle.io_service_bytes']) {
    try {
      for (const line of fs.readFileSync(path.join(ROOT, 'blkio', cgroupPath, name), 'utf8').split('\n')) {
        const [, op, v] = line.split(' ');
        if (op === 'Read') read += Number(v);
        if (op === 'Write') write += Number(v);
      }
      break;
    } catch {
      // try the next file name
    }
  }
  return {
    cpuNanos: readNumber(path.join(ROOT, 'cpuacct', cgroupPath, 'cpuacct.usage')) ?? 0,
    memoryUsage: usage,
    memoryWorkingSet: inactive < usage ? usage - inactive : usage,
    memoryLimit: limit === undefined || limit >= V1_UNLIMITED ? undefined : limit,
    pids: readNumber(path.join(ROOT, 'pids', cgroupPath, 'pids.current')) ?? 0,
    pidsLimit: readNumber(path.join(ROOT, 'pids', cgroupPath, 'pids.max')),
    blkioRead: read,
    blkioWrite: write,
  };
}
