// The offline `busybox` image: the host's static busybox with one hard link per applet in /bin, the
// usual top-level dirs and docker's busybox /etc files. Timestamps come from the binary, so every root on
// a host builds the same layer and therefore the same image ID.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ImageConfig } from './types.js';

export const BUSYBOX_NAME = 'docker.io/library/busybox:latest';
const BUSYBOX_BINARY = '/bin/busybox';
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
`;
const GROUP = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
`;

function busyboxTime(): Date {
  const t = fs.statSync(BUSYBOX_BINARY).mtime;
  return new Date(Math.floor(t.getTime() / 1000) * 1000);
}

export function buildBusyboxLayer(dir: string): void {
  const mtime = busyboxTime();
  const dirs: Array<[string, number]> = [
    ['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['home', 0o755], ['proc', 0o755], ['root', 0o700],
    ['sys', 0o755], ['tmp', 0o1777], ['usr', 0o755], ['usr/sbin', 0o755], ['var', 0o755], ['var/spool', 0o755],
    ['var/spool/mail', 0o755], ['var/www', 0o755],
  ];
  for (const [d, mode] of dirs) {
    fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.chmodSync(path.join(dir, d), mode);
  }
  const target = path.join(dir, 'bin', 'busybox');
  fs.copyFileSync(BUSYBOX_BINARY, target);
  fs.chmodSync(target, 0o755);
  const applets = execFileSync(BUSYBOX_BINARY, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const applet of applets) {
    if (/^[\w.[\]-]+$/.test(applet)) fs.linkSync(target, path.join(dir, 'bin', applet));
  }
  fs.writeFileSync(path.join(dir, 'etc', 'passwd'), PASSWD, { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'etc', 'group'), GROUP, { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'etc', 'shadow'), PASSWD.split('\n').filter(Boolean).map((l) => `${l.split(':')[0]}:*::::::`).join('\n') + '\n', { mode: 0o640 });
  setTimes(dir, mtime);
}

function setTimes(dir: string, mtime: Date): void {
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    const st = fs.lstatSync(full);
    if (st.isDirectory()) setTimes(full, mtime);
    if (!st.isSymbolicLink()) fs.utimesSync(full, mtime, mtime);
  }
  fs.utimesSync(dir, mtime, mtime);
}

export function busyboxConfig(diffId: string): ImageConfig {
  const created = busyboxTime().toISOString().replace('.000Z', 'Z');
  return {
    architecture: 'amd64',
    os: 'linux',
    created,
    config: { Env: [`PATH=${DEFAULT_PATH}`], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [
      { created, created_by: `/bin/sh -c #(nop) ADD file:${diffId.slice(7)} in / ` },
      { created, created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    ],
  };
}
