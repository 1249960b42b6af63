import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/index.js';
import type { WatchEventType } from '../storage/index.js';
import { ResourceCache, TooOldError, type CacheEvent, type CacheWatcher, type CachedObject } from './watch-cache.js';

function obj(name: string, rv: number, labels: Record<string, string> = {}): CachedObject {
  const o: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels, resourceVersion: String(rv) } };
  return { key: `/registry/configmaps/default/${name}`, obj: o, rv };
}

function recorder(matches: (o: KubeObject) => boolean = () => true, keyPrefix = '/registry/configmaps/'): CacheWatcher & { seen: string[] } {
  const seen: string[] = [];
  return { keyPrefix, matches, send: (type: WatchEventType, o: CachedObject) => seen.push(`${type} ${o.obj.metadata.name}@${o.rv}`), close: () => undefined, seen };
}

function apply(cache: ResourceCache, type: WatchEventType, cur: CachedObject): void {
  const event: CacheEvent = { type, cur, prev: cache.objects.get(cur.key), rv: cur.rv };
  cache.apply(event);
}

describe('ResourceCache', () => {
  it('lists by key prefix in key order', () => {
    const c = new ResourceCache(0);
    for (const [n, rv] of [['b', 1], ['a', 2], ['c', 3]] as const) apply(c, 'ADDED', obj(n, rv));
    assert.deepEqual(c.list('/registry/configmaps/default/').map((o) => o.obj.metadata.name), ['a', 'b', 'c']);
    assert.deepEqual(c.list('/registry/configmaps/other/'), []);
  });

  it('replays the window after a revision and refuses one older than it', () => {
    const c = new ResourceCache(10);
    apply(c, 'ADDED', obj('a', 11));
    apply(c, 'MODIFIED', obj('a', 12));
    const w = recorder();
    c.watchFrom(w, 11);
    apply(c, 'DELETED', obj('a', 13));
    assert.deepEqual(w.seen, ['MODIFIED a@12', 'DELETED a@13']);
    assert.throws(() => c.watchFrom(recorder(), 9), TooOldError);
  });

  it('turns selector transitions into ADDED and DELETED', () => {
    const c = new ResourceCache(0);
    const w = recorder((o) => o.metadata.labels?.team === 'blue');
    c.watchWithInitialState(w);
    apply(c, 'ADDED', obj('x', 1));
    apply(c, 'MODIFIED', obj('x', 2, { team: 'blue' }));
    apply(c, 'MODIFIED', obj('x', 3, { team: 'blue' }));
    apply(c, 'MODIFIED', obj('x', 4, { team: 'red' }));
    apply(c, 'DELETED', obj('x', 5, { team: 'red' }));
    assert.deepEqual(w.seen, ['ADDED x@2', 'MODIFIED x@3', 'DELETED x@4']);
  });
});
