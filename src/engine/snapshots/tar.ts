// A small streaming tar writer (ustar + PAX extended headers for long names and xattrs). The engine
// writes its own layer tars so whiteouts, ownership and timestamps are exactly what the image spec asks,
// and so layer digests are reproducible.
import fs from 'node:fs';

export type TarType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntry {
  name: string;
  type: TarType;
  mode: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extra PAX records, e.g. SCHILY.xattr.trusted.overlay.opaque. */
  pax?: Record<string, string>;
}

const TYPEFLAG: Record<TarType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function block(fields: Array<[number, number, string]>): Buffer {
  const buf = Buffer.alloc(512);
  for (const [offset, width, text] of fields) buf.write(text, offset, width, 'utf8');
  buf.fill(' ', 148, 156);
  let sum = 0;
  for (const b of buf) sum += b;
  buf.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return buf;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function pad(size: number): Buffer {
  const rest = size % 512;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(512 - rest);
}

/** The header block(s) of one entry: a PAX header first when names are long or extra records exist. */
export function tarHeader(e: TarEntry): Buffer {
  const name = e.type === 'dir' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
  const pax: Record<string, string> = { ...(e.pax ?? {}) };
  if (Buffer.byteLength(name) > 100) pax.path = name;
  if (e.linkname && Buffer.byteLength(e.linkname) > 100) pax.linkpath = e.linkname;
  const parts: Buffer[] = [];
  const common = (n: string, type: string, size: number, link: string): Buffer =>
    block([
      [0, 100, n.slice(0, 99)],
      [100, 8, octal(e.mode & 0o7777, 8)],
      [108, 8, octal(e.uid ?? 0, 8)],
      [116, 8, octal(e.gid ?? 0, 8)],
      [124, 12, octal(size, 12)],
      [136, 12, octal(Math.floor(e.mtime ?? 0), 12)],
      [156, 1, type],
      [157, 100, link.slice(0, 99)],
      [257, 6, 'ustar\0'],
      [263, 2, '00'],
      [329, 8, octal(e.devmajor ?? 0, 8)],
      [337, 8, octal(e.devminor ?? 0, 8)],
    ]);
  if (Object.keys(pax).length) {
    const body = Buffer.from(Object.entries(pax).map(([k, v]) => paxRecord(k, v)).join(''));
    parts.push(common('PaxHeader', 'x', body.length, ''), body, pad(body.length));
  }
  const size = e.type === 'file' ? e.size ?? 0 : 0;
  parts.push(common(name, TYPEFLAG[e.type], size, e.linkname ?? ''));
  return Buffer.concat(parts);
}

/** Writes entries to a file descriptor; file bodies are copied from `source` paths. */
export class TarWriter {
  constructor(private readonly fd: number) {}

  add(e: TarEntry, source?: string): void {
    fs.writeSync(this.fd, tarHeader(e));
    if (e.type !== 'file' || !e.size) return;
    if (!source) throw new Error(`tar entry ${e.name}: a regular file needs its source`);
    const src = fs.openSync(source, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      let left = e.size;
      while (left > 0) {
        const n = fs.readSync(src, buf, 0, Math.min(buf.length, left), null);
        if (n === 0) throw new Error(`tar entry ${e.name}: ${source} shrank while being archived`);
        fs.writeSync(this.fd, buf, 0, n);
        left -= n;
      }
    } finally {
      fs.closeSync(src);
    }
    fs.writeSync(this.fd, pad(e.size));
  }

  addBuffer(e: Omit<TarEntry, 'type' | 'size'>, data: Buffer): void {
    fs.writeSync(this.fd, tarHeader({ ...e, type: 'file', size: data.length }));
    fs.writeSync(this.fd, data);
    fs.writeSync(this.fd, pad(data.length));
  }

  finish(): void {
    fs.writeSync(this.fd, Buffer.alloc(1024));
  }
}

/** The tar entry describing a file on disk (no body), or undefined for sockets, which tar cannot hold. */
export function entryFor(name: string, st: fs.Stats, linkname?: string): TarEntry | undefined {
  const base = { name, mode: st.mode, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
  if (st.isFile()) return { ...base, type: 'file', size: st.size };
  if (st.isDirectory()) return { ...base, type: 'dir' };
  if (st.isSymbolicLink()) return { ...base, type: 'symlink', linkname };
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return { ...base, type: st.isCharacterDevice() ? 'char' : 'block', devmajor: (st.rdev >> 8) & 0xfff, devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00) };
  }
  if (st.isFIFO()) return { ...base, type: 'fifo' };
  return undefined;
}
