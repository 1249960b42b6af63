// The storage conformance suite: the behaviour the API server relies on, written once against the
// Store interface and run for every backend (`registerConformanceTests('sqlite', open)` in a test
// file). Each test opens its own store; backends that share one server (etcd) give each store its
// own key prefix, so the tests assume nothing about revisions except that they increase.
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  NotFoundError,
  StoreError,
  type Store,
  type WatchEvent,
  type WatchOptions,
} from './store.js';

export interface ConformanceOptions {
  /** A fresh store with an empty keyspace whose live watches get progress calls within about a second. */
  open(): Promise<Store>;
  /** Called once after every test (stops servers the suite needed). */
  teardown?(): Promise<void>;
}

interface Recorder {
  events: WatchEvent[];
  progress: number[];
  errors: Error[];
  /** Resolves once `predicate` holds for what was recorded, or fails after `timeoutMs`. */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  cancel(): void;
}

function record(store: Store, prefix: string, options: Omit<WatchOptions, 'onProgress' | 'onError'>): Recorder {
  const rec = { events: [] as WatchEvent[], progress: [] as number[], errors: [] as Error[] };
  const waiters = new Set<() => void>();
  const poke = (): void => waiters.forEach((w) => w());
  const watch = store.watch(
    prefix,
    (event) => {
      rec.events.push(event);
      poke();
    },
    {
      ...options,
      onProgress: (revision) => {
        rec.progress.push(revision);
        poke();
      },
      onError: (err) => {
        rec.errors.push(err);
        poke();
      },
    },
  );
  return {
    ...rec,
    cancel: () => watch.cancel(),
    until: (predicate, what, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(rec)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The interesting part of an event, for comparisons. */
function summary(event: WatchEvent): [string, string, string, number, string | undefined] {
  return [event.type, event.kv.key, event.kv.value, event.kv.modRevision, event.prevKv?.value];
}

export function registerConformanceTests(backend: string, options: ConformanceOptions): void {
  describe(`store conformance: ${backend}`, () => {
    const opened: Store[] = [];
    const open = async (): Promise<Store> => {
      const store = await options.open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    after(async () => {
      await options.teardown?.();
    });

    it('create assigns increasing revisions and refuses an existing key', async () => {
      const store = await open();
      const before = await store.currentRevision();
      const a = await store.create('/registry/pods/default/a', 'A');
      assert.ok(a.modRevision > before);
      assert.equal(a.createRevision, a.modRevision);
      assert.equal(await store.currentRevision(), a.modRevision);
      const b = await store.create('/registry/pods/default/b', 'B');
      assert.ok(b.modRevision > a.modRevision);
      await assert.rejects(store.create('/registry/pods/default/a', 'again'), (err: unknown) => {
        assert.ok(err instanceof KeyExistsError);
        assert.equal(err.key, '/registry/pods/default/a');
        return true;
      });
      assert.deepEqual(await store.get('/registry/pods/default/a'), a);
      assert.equal(await store.get('/registry/pods/default/missing'), undefined);
      assert.equal(await store.currentRevision(), b.modRevision, 'a refused create does not move the revision');
    });

    it('update is guarded by the modRevision and keeps the createRevision', async () => {
      const store = await open();
      const created = await store.create('/k/x', 'v1');
      const updated = await store.update('/k/x', 'v2', created.modRevision);
      assert.ok(updated.modRevision > created.modRevision);
      assert.equal(updated.createRevision, created.createRevision);
      assert.deepEqual(await store.get('/k/x'), updated);
      await assert.rejects(store.update('/k/x', 'stale', created.modRevision), (err: unknown) => {
        assert.ok(err instanceof ConflictError);
        assert.equal(err.actualModRevision, updated.modRevision);
        return true;
      });
      await assert.rejects(store.update('/k/none', 'v', 1), NotFoundError);
      assert.equal((await store.get('/k/x'))?.value, 'v2');
    });

    it('delete returns the last value, is guarded when asked, and a key can be created again', async () => {
      const store = await open();
      const created = await store.create('/k/d', 'v1');
      const updated = await store.update('/k/d', 'v2', created.modRevision);
      await assert.rejects(store.delete('/k/d', created.modRevision), ConflictError);
      const deleted = await store.delete('/k/d', updated.modRevision);
      assert.equal(deleted.value, 'v2');
      assert.equal(deleted.key, '/k/d');
      assert.equal(await store.get('/k/d'), undefined);
      await assert.rejects(store.delete('/k/d'), NotFoundError);
      const recreated = await store.create('/k/d', 'v3');
      assert.ok(recreated.createRevision > updated.modRevision);
      const unguarded = await store.delete('/k/d');
      assert.equal(unguarded.value, 'v3');
    });

    it('keys and values round-trip exactly: unicode, quotes, newlines, 1 MiB', async () => {
      const store = await open();
      const big = JSON.stringify({ data: 'x'.repeat(2 ** 20) });
      const odd = '{"name":"é\\u00e9 \'q\' \\n","emoji":"🚢","nul":"a\\u0000b"}\n';
      await store.create('/v/big', big);
      await store.create('/v/odd-ключ-🚢', odd);
      assert.equal((await store.get('/v/big'))?.value, big);
      assert.equal((await store.get('/v/odd-ключ-🚢'))?.value, odd);
      assert.deepEqual((await store.list('/v/')).items.map((kv) => kv.key), ['/v/big', '/v/odd-ключ-🚢']);
    });

    it('concurrent writers: one create per key and one update per revision win', async () => {
      const store = await open();
      const creates = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.create('/race/one', `v${i}`)));
      assert.equal(creates.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of creates) if (r.status === 'rejected') assert.ok(r.reason instanceof KeyExistsError);
      const current = (await store.get('/race/one'))!;
      const updates = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.update('/race/one', `u${i}`, current.modRevision)));
      assert.equal(updates.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of updates) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError);
      const many = await Promise.all(Array.from({ length: 200 }, (_, i) => store.create(`/race/many/${String(i).padStart(3, '0')}`, `${i}`)));
      assert.equal(new Set(many.map((kv) => kv.modRevision)).size, 200, 'every write has its own revision');
      assert.equal(await store.count('/race/many/'), 200);
    });

    it('list returns the keys under a prefix in key order, and count agrees', async () => {
      const store = await open();
      for (const key of ['/r/pods/b', '/r/pods/a', '/r/pods/c/x', '/r/podsx/a', '/r/pod', '/r/pods']) await store.create(key, key);
      const list = await store.list('/r/pods/');
      assert.deepEqual(list.items.map((kv) => kv.key), ['/r/pods/a', '/r/pods/b', '/r/pods/c/x']);
      assert.equal(list.remaining, 0);
      assert.equal(list.revision, await store.currentRevision());
      assert.equal(list.items[0].value, '/r/pods/a');
      assert.equal(await store.count('/r/pods/'), 3);
      assert.equal(await store.count('/r/'), 6);
      assert.equal(await store.count('/r/nothing/'), 0);
      assert.deepEqual((await store.list('/r/nothing/')).items, []);
    });

    it('list at a past revision sees the state of then, including since-deleted keys', async () => {
      const store = await open();
      const a1 = await store.create('/h/a', 'a1');
      const b1 = await store.create('/h/b', 'b1');
      const then = b1.modRevision;
      await store.update('/h/a', 'a2', a1.modRevision);
      await store.delete('/h/b');
      await store.create('/h/c', 'c1');
      const past = await store.list('/h/', { revision: then });
      assert.equal(past.revision, then);
      assert.deepEqual(past.items.map((kv) => [kv.key, kv.value, kv.modRevision]), [
        ['/h/a', 'a1', a1.modRevision],
        ['/h/b', 'b1', b1.modRevision],
      ]);
      const before = await store.list('/h/', { revision: a1.modRevision });
      assert.deepEqual(before.items.map((kv) => kv.key), ['/h/a']);
      const now = await store.list('/h/');
      assert.deepEqual(now.items.map((kv) => [kv.key, kv.value]), [
        ['/h/a', 'a2'],
        ['/h/c', 'c1'],
      ]);
      await assert.rejects(store.list('/h/', { revision: (await store.currentRevision()) + 1000 }), StoreError);
    });

    it('pagination: limit, startAfter and remaining walk a consistent snapshot', async () => {
      const store = await open();
      const keys = Array.from({ length: 25 }, (_, i) => `/p/items/${String(i).padStart(2, '0')}`);
      for (const key of keys) await store.create(key, key);
      const first = await store.list('/p/items/', { limit: 10 });
      assert.equal(first.items.length, 10);
      assert.equal(first.remaining, 15);
      // Writes between pages must not show up in later pages read at the first page's revision.
      await store.create('/p/items/05a', 'late');
      await store.delete('/p/items/20');
      const seen = first.items.map((kv) => kv.key);
      let page = first;
      while (page.remaining > 0) {
        page = await store.list('/p/items/', { limit: 10, revision: first.revision, startAfter: seen[seen.length - 1] });
        assert.equal(page.revision, first.revision);
        seen.push(...page.items.map((kv) => kv.key));
      }
      assert.deepEqual(seen, keys);
      const tail = await store.list('/p/items/', { limit: 5, startAfter: '/p/items/21' });
      assert.deepEqual(tail.items.map((kv) => kv.key), ['/p/items/22', '/p/items/23', '/p/items/24']);
      assert.equal(tail.remaining, 0);
      const exact = await store.list('/p/items/', { limit: 3, startAfter: '/p/items/21' });
      assert.equal(exact.remaining, 0);
    });

    it('watch replays history from a revision, then delivers live events with prevKv, in order', async () => {
      const store = await open();
      const a = await store.create('/w/a', 'a1');
      const from = a.modRevision;
      const a2 = await store.update('/w/a', 'a2', a.modRevision);
      await store.create('/w/b', 'b1');
      await store.create('/other/z', 'not watched');
      await store.delete('/w/b');
      const rec = record(store, '/w/', { fromRevision: from });
      await rec.until(() => rec.events.length >= 3, 'replayed events');
      await store.update('/w/a', 'a3', a2.modRevision);
      await store.create('/wx/a', 'outside the prefix');
      await store.create('/w/c', 'c1');
      await rec.until(() => rec.events.length >= 5, 'live events');
      await sleep(100);
      rec.cancel();
      assert.deepEqual(
        rec.events.map((e) => [e.type, e.kv.key, e.kv.value, e.prevKv?.value]),
        [
          ['MODIFIED', '/w/a', 'a2', 'a1'],
          ['ADDED', '/w/b', 'b1', undefined],
          ['DELETED', '/w/b', 'b1', 'b1'],
          ['MODIFIED', '/w/a', 'a3', 'a2'],
          ['ADDED', '/w/c', 'c1', undefined],
        ],
      );
      const revisions = rec.events.map((e) => e.kv.modRevision);
      assert.deepEqual([...revisions].sort((x, y) => x - y), revisions, 'events arrive in revision order');
      assert.ok(revisions[0] > from);
      const del = rec.events[2];
      assert.ok(del.kv.modRevision > del.prevKv!.modRevision, 'a delete carries its own revision');
      assert.equal(rec.events[0].prevKv?.modRevision, a.modRevision);
      assert.deepEqual(rec.errors, []);
    });

    it('watch has no gap or duplicate between replay and live under concurrent writes', async () => {
      const store = await open();
      const start = await store.currentRevision();
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i++) writes.push(store.create(`/g/${i}`, `${i}`));
      const rec = record(store, '/g/', { fromRevision: start });
      for (let i = 100; i < 200; i++) writes.push(store.create(`/g/${i}`, `${i}`));
      await Promise.all(writes);
      await rec.until(() => rec.events.length >= 200, '200 events');
      await sleep(100);
      rec.cancel();
      assert.equal(rec.events.length, 200);
      assert.equal(new Set(rec.events.map((e) => e.kv.key)).size, 200);
    });

    it('watch from the current revision sees only new events; cancel stops delivery', async () => {
      const store = await open();
      await store.create('/c/old', 'old');
      const rec = record(store, '/c/', { fromRevision: await store.currentRevision() });
      await sleep(50);
      await store.create('/c/new', 'new');
      await rec.until(() => rec.events.length >= 1, 'the new event');
      rec.cancel();
      await store.create('/c/after-cancel', 'x');
      await sleep(200);
      assert.deepEqual(rec.events.map(summary).map((s) => s[1]), ['/c/new']);
      assert.deepEqual(rec.errors, [], 'cancel is not an error');
    });

    it('an idle watch gets progress notifications with the current revision', async () => {
      const store = await open();
      const kv = await store.create('/idle/a', 'a');
      const rec = record(store, '/idle/', { fromRevision: kv.modRevision });
      await rec.until(() => rec.progress.length >= 1, 'a progress notification', 15_000);
      rec.cancel();
      assert.ok(rec.progress[0] >= kv.modRevision);
    });

    it('requestProgress: a progress call follows every event up to the revision it reports', async () => {
      const store = await open();
      const start = await store.currentRevision();
      const seen: Array<['event' | 'progress', number]> = [];
      let resolveProgress!: () => void;
      const progressed = new Promise<void>((resolve) => (resolveProgress = resolve));
      let written = 0;
      const watch = store.watch('/rp/', (e) => seen.push(['event', e.kv.modRevision]), {
        fromRevision: start,
        onProgress: (revision) => {
          seen.push(['progress', revision]);
          if (revision >= written) resolveProgress();
        },
      });
      for (let i = 0; i < 5; i++) written = (await store.create(`/rp/${i}`, `${i}`)).modRevision;
      written = (await store.create('/elsewhere/x', 'moves the revision only')).modRevision;
      assert.ok(watch.requestProgress, 'the backend supports requestProgress');
      watch.requestProgress();
      await progressed;
      watch.cancel();
      const firstProgressAtWritten = seen.findIndex(([kind, revision]) => kind === 'progress' && revision >= written);
      assert.equal(seen.slice(0, firstProgressAtWritten).filter(([kind]) => kind === 'event').length, 5, 'all 5 events came before');
    });

    it('compaction: older revisions are gone (CompactedError), newer ones readable', async () => {
      const store = await open();
      const a = await store.create('/cp/a', 'a1');
      const a2 = await store.update('/cp/a', 'a2', a.modRevision);
      const b = await store.create('/cp/b', 'b1');
      await store.delete('/cp/b', b.modRevision);
      const c = await store.create('/cp/c', 'c1');
      await store.compact(c.modRevision);
      assert.ok((await store.compactedRevision()) >= c.modRevision);
      await assert.rejects(store.list('/cp/', { revision: a2.modRevision }), (err: unknown) => {
        assert.ok(err instanceof CompactedError);
        assert.equal(err.requested, a2.modRevision);
        return true;
      });
      const atCompaction = await store.list('/cp/', { revision: c.modRevision });
      assert.deepEqual(atCompaction.items.map((kv) => [kv.key, kv.value]), [
        ['/cp/a', 'a2'],
        ['/cp/c', 'c1'],
      ]);
      const old = record(store, '/cp/', { fromRevision: a.modRevision });
      await old.until(() => old.errors.length > 0, 'a compaction error');
      assert.ok(old.errors[0] instanceof CompactedError);
      assert.deepEqual(old.events, []);
      const d = await store.create('/cp/d', 'd1');
      const fresh = record(store, '/cp/', { fromRevision: c.modRevision });
      await fresh.until(() => fresh.events.length >= 1, 'events after the compacted revision');
      fresh.cancel();
      assert.deepEqual(fresh.events.map(summary), [['ADDED', '/cp/d', 'd1', d.modRevision, undefined]]);
      assert.equal((await store.get('/cp/a'))?.value, 'a2', 'compaction keeps the latest values');
      const a3 = await store.update('/cp/a', 'a3', a2.modRevision);
      assert.equal(a3.createRevision, a.createRevision);
    });

    it('close ends watches with an error and refuses further calls', async () => {
      const store = await open();
      const rec = record(store, '/close/', { fromRevision: await store.currentRevision() });
      await sleep(50);
      await store.close();
      await rec.until(() => rec.errors.length > 0, 'the watch to end');
      await assert.rejects(store.create('/close/a', 'a'), StoreError);
      await assert.rejects(store.get('/close/a'), StoreError);
    });
  });
}
