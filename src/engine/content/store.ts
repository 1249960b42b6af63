// Immutable blobs addressed by their sha256 digest (configs, manifests, layer tars). Writes go to a temp
// file first and are renamed into place, so a reader never sees half a blob and two writers of the same
// digest both succeed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class ContentStore {
  constructor(private readonly dir: string) {}

  path(digest: string): string {
    return path.join(this.dir, hexOf(digest));
  }

  has(digest: string): boolean {
    return fs.existsSync(this.path(digest));
  }

  read(digest: string): Buffer {
    return fs.readFileSync(this.path(digest));
  }

  put(data: Buffer | string): string {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const digest = `sha256:${crypto.createHash('sha256').update(buf).digest('hex')}`;
    if (!this.has(digest)) {
      const tmp = this.tempPath();
      fs.writeFileSync(tmp, buf);
      fs.renameSync(tmp, this.path(digest));
    }
    return digest;
  }

  /** Moves a finished file into the store under its digest (computed by the caller while writing it). */
  adopt(file: string, digest: string): void {
    if (this.has(digest)) fs.rmSync(file, { force: true });
    else fs.renameSync(file, this.path(digest));
  }

  /** A fresh path on the store's filesystem, for streaming a blob before its digest is known. */
  tempPath(): string {
    fs.mkdirSync(this.dir, { recursive: true });
    return path.join(this.dir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  }

  delete(digest: string): void {
    fs.rmSync(this.path(digest), { force: true });
  }
}

export function hexOf(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`invalid digest ${JSON.stringify(digest)}: want sha256:<64 hex digits>`);
  return m[1];
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}
