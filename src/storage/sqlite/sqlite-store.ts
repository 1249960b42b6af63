// The Store on SQLite, after kine (k3s): one table of revisions emulating etcd's MVCC model. Every
// write appends a row whose id is the new global revision; a delete appends a tombstone carrying
// the last value. A second table maps each live key to its latest row, so reads at the latest
// revision never scan history. One writer in this process; writes queued in the same turn of the
// event loop commit in one transaction (group commit), with synchronous=FULL so an acknowledged
// write survives kill -9 and power loss alike.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  NotFoundError,
  StoreError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchEvent,
  type WatchOptions,
} from '../store.js';
import { prefixRangeEnd } from '../key-range.js';
import { startPeriodicCompaction } from '../periodic-compaction.js';
import { WatchHub } from './watchers.js';

export interface SqliteStoreOptions {
  /** The database file; its directory is created. */
  file: string;
  /** How often history is compacted (default 5 minutes; 0 = never, compact() only). */
  compactIntervalMs?: number;
  /** Compaction keeps at least this many recent revisions (default 1000). */
  compactKeepRevisions?: number;
  /** A live watch with onProgress that got no event for this long gets a progress call (default 10 s). */
  progressIntervalMs?: number;
}

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

interface HistoryRow extends Row {
  prev_value: string | null;
  prev_create_revision: number | null;
}

interface WriteResult {
  kv: KeyValue;
  event: WatchEvent;
}

interface PendingWrite {
  /** Runs inside the transaction with the revision this write gets; throws a StoreError (writing nothing) when its guard fails. */
  apply(revision: number): WriteResult;
  resolve(kv: KeyValue): void;
  reject(err: Error): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY,              -- the global revision of this write
  name TEXT NOT NULL,
  created INTEGER NOT NULL,            -- 1 when this write created the key
  deleted INTEGER NOT NULL,            -- 1 for a tombstone; value is then the last value
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,      -- the key's previous write (0 for a create)
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kine_name_id ON kine (name, id);
CREATE TABLE IF NOT EXISTS live (name TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

function toKeyValue(row: Row): KeyValue {
  return { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.id };
}

/**
 * The [start, end) bounds of a prefix as SQL parameters, start raised past `startAfter` when given:
 * key + NUL is the least key after it. Valid UTF-8 never holds 0xff, so 0xff bounds all keys.
 */
function range(prefix: string, startAfter?: string): [string, Buffer] {
  const end = prefixRangeEnd(prefix);
  const start = startAfter !== undefined && startAfter >= prefix ? `${startAfter}\0` : prefix;
  return [start, end.length ? end : Buffer.from([0xff])];
}

/**
 * Opens the database for this process alone: revisions are assigned in memory, so a second writer
 * would corrupt them. The exclusive lock is taken by the first read and released when the process ends.
 */
function openExclusive(file: string): Database.Database {
  const db = new Database(file);
  try {
    // Before the WAL exists, which SQLite then creates with the database file's mode.
    fs.chmodSync(file, 0o600);
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new StoreError(`the database ${file} is in use by another process; is another skiff server running with this data dir?`);
    }
    throw err;
  }
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly hub: WatchHub;
  private revision: number;
  private compactRevision: number;
  private pending: PendingWrite[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly stopCompaction?: () => void;
  /** Removal of compacted rows, one compaction after the other. */
  private compaction: Promise<void> = Promise.resolve();
  private readonly statements;

  constructor(options: SqliteStoreOptions) {
    // The database holds every Secret: only the server's user may read it.
    fs.mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o700 });
    this.db = openExclusive(options.file);
    const db = this.db;
    const live = `SELECT k.* FROM live l JOIN kine k ON k.id = l.id`;
    // The live keys as of a revision: rows that are their key's latest at or below it and no tombstone.
    // Walks the (name, id) index in key order, so a page stops after `limit` keys instead of sorting all.
    const atRevision = `SELECT k.* FROM kine k WHERE k.name >= ? AND k.name < CAST(? AS TEXT) AND k.deleted = 0
      AND k.id = (SELECT max(id) FROM kine k2 WHERE k2.name = k.name AND k2.id <= ?)`;
    this.statements = {
      get: db.prepare<[string], Row>(`${live} WHERE l.name = ?`),
      listLatest: db.prepare<[string, Buffer, number], Row>(`${live} WHERE l.name >= ? AND l.name < CAST(? AS TEXT) ORDER BY l.name LIMIT ?`),
      countLatest: db.prepare<[string, Buffer], { n: number }>(`SELECT count(*) AS n FROM live WHERE name >= ? AND name < CAST(? AS TEXT)`),
      listAt: db.prepare<[string, Buffer, number, number], Row>(`${atRevision} ORDER BY k.name LIMIT ?`),
      countAt: db.prepare<[string, Buffer, number], { n: number }>(`SELECT count(*) AS n FROM (${atRevision})`),
      insert: db.prepare<[number, string, number, number, number, number, string]>(
        `INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      setLive: db.prepare<[string, number]>(`INSERT OR REPLACE INTO live (name, id) VALUES (?, ?)`),
      unsetLive: db.prepare<[string]>(`DELETE FROM live WHERE name = ?`),
      // Walks the table in revision order from `after` (the unary + keeps SQLite off the name index,
      // which would sort the whole prefix for every batch of a replay).
      history: db.prepare<[number, string, Buffer, number], HistoryRow>(
        `SELECT k.*, p.value AS prev_value, p.create_revision AS prev_create_revision FROM kine k LEFT JOIN kine p ON p.id = k.prev_revision
         WHERE k.id > ? AND +k.name >= ? AND +k.name < CAST(? AS TEXT) ORDER BY k.id LIMIT ?`,
      ),
      // Among the rows with ids in (from, to]: drops every row that is not the state of its key at
      // `revision`, and tombstones. Run in ascending id order, a key's older rows go before its
      // tombstone, so none of them can reappear as the key's state.
      compact: db.prepare<{ from: number; to: number; revision: number }>(
        `DELETE FROM kine WHERE id > :from AND id <= :to AND (deleted = 1 OR id < (SELECT max(id) FROM kine k2 WHERE k2.name = kine.name AND k2.id <= :revision))`,
      ),
      minId: db.prepare<[], { id: number | null }>(`SELECT min(id) AS id FROM kine`),
      setMeta: db.prepare<[string, number]>(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`),
    };
    const meta = db.prepare<[string], { value: number }>(`SELECT value FROM meta WHERE key = ?`);
    this.compactRevision = meta.get('compact_revision')?.value ?? 0;
    // Compaction may remove the newest row (a tombstone), so the revision is also kept in meta.
    const maxId = db.prepare<[], { id: number | null }>(`SELECT max(id) AS id FROM kine`).get()?.id ?? 0;
    this.revision = Math.max(maxId, this.compactRevision);
    this.hub = new WatchHub(
      {
        history: (prefix, after, limit) => this.history(prefix, after, limit),
        revision: () => this.revision,
        compactedRevision: () => this.compactRevision,
      },
      options.progressIntervalMs ?? 10_000,
    );
    const interval = options.compactIntervalMs ?? 5 * 60_000;
    if (interval > 0) this.stopCompaction = startPeriodicCompaction(this, { intervalMs: interval, keepRevisions: options.compactKeepRevisions ?? 1000 });
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.assertOpen();
    return this.compactRevision;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    const row = this.statements.get.get(key);
    return row && toKeyValue(row);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const revision = options.revision || this.revision;
    if (revision < this.compactRevision) throw new CompactedError(revision, this.compactRevision);
    if (revision > this.revision) throw new StoreError(`required revision ${revision} is a future revision (current ${this.revision})`);
    const [start, end] = range(prefix, options.startAfter);
    const limit = options.limit && options.limit > 0 ? options.limit : -1;
    const latest = revision === this.revision;
    const rows = latest ? this.statements.listLatest.all(start, end, limit) : this.statements.listAt.all(start, end, revision, limit);
    let remaining = 0;
    if (limit > 0 && rows.length === limit) {
      const [last] = range(prefix, rows[rows.length - 1].name);
      remaining = latest ? this.statements.countLatest.get(last, end)!.n : this.statements.countAt.get(last, end, revision)!.n;
    }
    return { items: rows.map(toKeyValue), revision, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen();
    return this.statements.countLatest.get(...range(prefix))!.n;
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.write((revision): WriteResult => {
      if (this.statements.get.get(key)) throw new KeyExistsError(key);
      this.statements.insert.run(revision, key, 1, 0, revision, 0, value);
      this.statements.setLive.run(key, revision);
      const kv = { key, value, createRevision: revision, modRevision: revision };
      return { kv, event: { type: 'ADDED', kv } };
    });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.write((revision): WriteResult => {
      const prev = this.current(key, expectedModRevision);
      this.statements.insert.run(revision, key, 0, 0, prev.create_revision, prev.id, value);
      this.statements.setLive.run(key, revision);
      const kv = { key, value, createRevision: prev.create_revision, modRevision: revision };
      return { kv, event: { type: 'MODIFIED', kv, prevKv: toKeyValue(prev) } };
    });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.write((revision): WriteResult => {
      const prev = this.current(key, expectedModRevision);
      this.statements.insert.run(revision, key, 0, 1, prev.create_revision, prev.id, prev.value);
      this.statements.unsetLive.run(key);
      const prevKv = toKeyValue(prev);
      return { kv: prevKv, event: { type: 'DELETED', kv: { ...prevKv, modRevision: revision }, prevKv } };
    });
  }

  watch(prefix: string, handler: (event: WatchEvent) => void, options: WatchOptions): Watch {
    this.assertOpen();
    return this.hub.add(prefix, handler, options);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision > this.revision) throw new StoreError(`cannot compact to revision ${revision}: it is a future revision (current ${this.revision})`);
    if (revision <= this.compactRevision) return;
    // From here on reads below `revision` fail, so rows can go in small steps without a long pause.
    this.statements.setMeta.run('compact_revision', revision);
    this.compactRevision = revision;
    this.hub.compacted(revision);
    const removal = this.compaction.then(() => this.removeHistory(revision));
    this.compaction = removal.catch(() => undefined);
    await removal;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.stopCompaction?.();
    this.hub.close();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('store is closed');
  }

  /** The live row of a key, checked against the caller's expected modRevision. */
  private current(key: string, expectedModRevision: number | undefined): Row {
    const row = this.statements.get.get(key);
    if (!row) throw new NotFoundError(key);
    if (expectedModRevision !== undefined && row.id !== expectedModRevision) throw new ConflictError(key, row.id);
    return row;
  }

  /** Queues one write for the next group commit. */
  private write(apply: PendingWrite['apply']): Promise<KeyValue> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new StoreError('store is closed'));
        return;
      }
      this.pending.push({ apply, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const events: WatchEvent[] = [];
    const outcomes: Array<{ kv?: KeyValue; err?: Error }> = [];
    try {
      this.db.transaction(() => {
        for (const write of batch) {
          try {
            const result = write.apply(this.revision + events.length + 1);
            events.push(result.event);
            outcomes.push({ kv: result.kv });
          } catch (err) {
            if (!(err instanceof StoreError)) throw err;
            outcomes.push({ err });
          }
        }
      }).immediate();
    } catch (err) {
      const failure = new StoreError(`write failed: ${(err as Error).message}`);
      for (const write of batch) write.reject(failure);
      return;
    }
    if (events.length) {
      this.revision = events[events.length - 1].kv.modRevision;
      this.hub.publish(events);
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i];
      if (outcome.err) write.reject(outcome.err);
      else write.resolve(outcome.kv!);
    });
  }

  private history(prefix: string, after: number, limit: number): WatchEvent[] {
    const [start, end] = range(prefix);
    return this.statements.history.all(after, start, end, limit).map((row): WatchEvent => {
      const prevKv: KeyValue | undefined =
        row.prev_revision && row.prev_value !== null
          ? { key: row.name, value: row.prev_value, createRevision: row.prev_create_revision!, modRevision: row.prev_revision }
          : undefined;
      if (row.deleted) return { type: 'DELETED', kv: toKeyValue(row), prevKv };
      return { type: row.created ? 'ADDED' : 'MODIFIED', kv: toKeyValue(row), prevKv };
    });
  }

  private async removeHistory(revision: number): Promise<void> {
    const step = 10_000;
    for (let from = (this.statements.minId.get()?.id ?? 1) - 1; from < revision; from += step) {
      if (this.closed) return;
      this.statements.compact.run({ from, to: Math.min(from + step, revision), revision });
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
