// The host's device nodes, which docker gives a --privileged container (runc's HostDevices walk:
// everything under /dev except pts, shm, mqueue, fd and the console).
import fs from 'node:fs';
import path from 'node:path';

export interface HostDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

const SKIP = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev', 'console']);

export function hostDevices(dir = '/dev'): HostDevice[] {
  const out: HostDevice[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (dir === '/dev' && SKIP.has(name)) continue;
    const full = path.join(dir, name);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(full);
    } catch {
      continue;
    }
    if (st.isDirectory()) out.push(...hostDevices(full));
    else if (st.isCharacterDevice() || st.isBlockDevice()) {
      out.push({
        path: full,
        type: st.isCharacterDevice() ? 'c' : 'b',
        major: (st.rdev >> 8) & 0xfff,
        minor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
        fileMode: st.mode & 0o777,
        uid: st.uid,
        gid: st.gid,
      });
    }
  }
  return out;
}
