// The engine's metadata (images, tags, layers, containers, events) in one SQLite file under --root.
// Every CLI call opens it; WAL plus a busy timeout and IMMEDIATE transactions let many `skiff run -d`
// processes write at once without corrupting state or losing a name-uniqueness check.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * The addon's own path: without it better-sqlite3 asks the `bindings` package, which probes a dozen
 * candidate paths on every CLI start.
 */
function nativeBinding(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
    const addon = path.join(path.dirname(pkg), 'build', 'Release', 'better_sqlite3.node');
    return fs.existsSync(addon) ? addon : undefined;
  } catch {
    return undefined;
  }
}

export interface ImageRow {
  id: string;
  /** The config JSON exactly as stored; the image ID is its sha256. */
  config: string;
  created: string;
  size: number;
  /** Chain IDs of the image's layers, bottom first. */
  chain: string[];
  parent: string;
  /** 'local' for images built or committed here (the build cache only trusts these). */
  source: string;
}

export interface LayerRow {
  chainId: string;
  diffId: string;
  parent: string;
  size: number;
  /** Digest of the layer tar as kept in the content store (plain or gzip), '' if none is kept. */
  blob: string;
}

export interface EventRow {
  timeNano: bigint;
  type: string;
  action: string;
  actorId: string;
  attributes: Record<string, string>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS images (id TEXT PRIMARY KEY, config TEXT NOT NULL, created TEXT NOT NULL,
  size INTEGER NOT NULL, chain TEXT NOT NULL, parent TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS tags (name TEXT PRIMARY KEY, image_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tags_image ON tags(image_id);
CREATE TABLE IF NOT EXISTS layers (chain_id TEXT PRIMARY KEY, diff_id TEXT NOT NULL, parent TEXT NOT NULL,
  size INTEGER NOT NULL, blob TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS containers (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, time_nano TEXT NOT NULL,
  type TEXT NOT NULL, action TEXT NOT NULL, actor_id TEXT NOT NULL, attributes TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_actor ON events(actor_id, action);
`;

export class MetadataDB {
  readonly db: Database.Database;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file, { timeout: 30000, nativeBinding: nativeBinding() });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** Runs fn in one IMMEDIATE transaction: the write lock is taken up front, so read-check-write is atomic. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  getImage(id: string): ImageRow | undefined {
    const r = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r ? toImage(r) : undefined;
  }

  listImages(): ImageRow[] {
    return (this.db.prepare('SELECT * FROM images ORDER BY created DESC').all() as Record<string, unknown>[]).map(toImage);
  }

  /** Image IDs that start with a hex prefix (docker's short-ID lookup). */
  imagesByPrefix(prefix: string): string[] {
    return (this.db.prepare("SELECT id FROM images WHERE id LIKE ? || '%'").all(prefix) as { id: string }[]).map((r) => r.id);
  }

  putImage(row: ImageRow): void {
    this.db
      .prepare('INSERT OR REPLACE INTO images (id, config, created, size, chain, parent, source) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(row.id, row.config, row.created, row.size, JSON.stringify(row.chain), row.parent, row.source);
  }

  deleteImage(id: string): void {
    this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
    this.db.prepare('DELETE FROM tags WHERE image_id = ?').run(id);
  }

  tag(name: string): string | undefined {
    return (this.db.prepare('SELECT image_id FROM tags WHERE name = ?').get(name) as { image_id: string } | undefined)?.image_id;
  }

  tagsOf(imageId: string): string[] {
    return (this.db.prepare('SELECT name FROM tags WHERE image_id = ? ORDER BY name').all(imageId) as { name: string }[]).map((r) => r.name);
  }

  allTags(): Array<{ name: string; imageId: string }> {
    return (this.db.prepare('SELECT name, image_id FROM tags ORDER BY name').all() as { name: string; image_id: string }[]).map(
      (r) => ({ name: r.name, imageId: r.image_id }),
    );
  }

  setTag(name: string, imageId: string): void {
    this.db.prepare('INSERT OR REPLACE INTO tags (name, image_id) VALUES (?, ?)').run(name, imageId);
  }

  deleteTag(name: string): void {
    this.db.prepare('DELETE FROM tags WHERE name = ?').run(name);
  }

  getLayer(chainId: string): LayerRow | undefined {
    const r = this.db.prepare('SELECT * FROM layers WHERE chain_id = ?').get(chainId) as Record<string, unknown> | undefined;
    return r
      ? { chainId: String(r.chain_id), diffId: String(r.diff_id), parent: String(r.parent), size: Number(r.size), blob: String(r.blob) }
      : undefined;
  }

  putLayer(row: LayerRow): void {
    this.db
      .prepare('INSERT OR REPLACE INTO layers (chain_id, diff_id, parent, size, blob) VALUES (?, ?, ?, ?, ?)')
      .run(row.chainId, row.diffId, row.parent, row.size, row.blob);
  }

  deleteLayer(chainId: string): void {
    this.db.prepare('DELETE FROM layers WHERE chain_id = ?').run(chainId);
  }

  /** Chain IDs referenced by any image (a layer not in this set and not a parent of one may be removed). */
  usedChains(): Set<string> {
    const used = new Set<string>();
    for (const r of this.db.prepare('SELECT chain FROM images').all() as { chain: string }[]) {
      for (const c of JSON.parse(r.chain) as string[]) used.add(c);
    }
    return used;
  }

  getContainerData(id: string): string | undefined {
    return (this.db.prepare('SELECT data FROM containers WHERE id = ?').get(id) as { data: string } | undefined)?.data;
  }

  containerIdByName(name: string): string | undefined {
    return (this.db.prepare('SELECT id FROM containers WHERE name = ?').get(name) as { id: string } | undefined)?.id;
  }

  containersByPrefix(prefix: string): string[] {
    return (this.db.prepare("SELECT id FROM containers WHERE id LIKE ? || '%'").all(prefix) as { id: string }[]).map((r) => r.id);
  }

  listContainerData(): string[] {
    return (this.db.prepare('SELECT data FROM containers').all() as { data: string }[]).map((r) => r.data);
  }

  insertContainer(id: string, name: string, data: string): void {
    this.db.prepare('INSERT INTO containers (id, name, data) VALUES (?, ?, ?)').run(id, name, data);
  }

  updateContainer(id: string, name: string, data: string): void {
    this.db.prepare('UPDATE containers SET name = ?, data = ? WHERE id = ?').run(name, data, id);
  }

  deleteContainer(id: string): void {
    this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
  }

  addEvent(e: EventRow): void {
    this.db
      .prepare('INSERT INTO events (time_nano, type, action, actor_id, attributes) VALUES (?, ?, ?, ?, ?)')
      .run(e.timeNano.toString(), e.type, e.action, e.actorId, JSON.stringify(e.attributes));
  }

  /** The newest event of one action for one actor (e.g. the `die` of a removed container). */
  lastEvent(actorId: string, action: string): EventRow | undefined {
    const r = this.db.prepare('SELECT * FROM events WHERE actor_id = ? AND action = ? ORDER BY seq DESC LIMIT 1').get(actorId, action) as Record<string, unknown> | undefined;
    return r
      ? { timeNano: BigInt(String(r.time_nano)), type: String(r.type), action: String(r.action), actorId: String(r.actor_id), attributes: JSON.parse(String(r.attributes)) as Record<string, string> }
      : undefined;
  }

  /** Events after sequence number `afterSeq`, oldest first, with their sequence numbers. */
  events(afterSeq = 0): Array<EventRow & { seq: number }> {
    return (this.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq').all(afterSeq) as Record<string, unknown>[]).map((r) => ({
      seq: Number(r.seq),
      timeNano: BigInt(String(r.time_nano)),
      type: String(r.type),
      action: String(r.action),
      actorId: String(r.actor_id),
      attributes: JSON.parse(String(r.attributes)) as Record<string, string>,
    }));
  }
}

function toImage(r: Record<string, unknown>): ImageRow {
  return {
    id: String(r.id),
    config: String(r.config),
    created: String(r.created),
    size: Number(r.size),
    chain: JSON.parse(String(r.chain)) as string[],
    parent: String(r.parent),
    source: String(r.source),
  };
}
