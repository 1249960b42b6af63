import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError, type KubeObject } from '../api/index.js';
import { objectKey } from './cache.js';
import { Informer } from './informer.js';
import { QueueController } from './queue-controller.js';
import { ResourceClient } from './resource.js';
import { refs } from './refs.js';
import type { RestClient } from './rest.js';

/** A controller whose sync fails as told, recording what it was asked. */
class Probe extends QueueController {
  readonly synced: string[] = [];
  failures = new Map<string, unknown>();
  constructor() {
    super('probe');
  }
  async sync(key: string): Promise<void> {
    this.synced.push(key);
    const err = this.failures.get(key);
    if (err) {
      this.failures.delete(key);
      throw err;
    }
  }
  wire(informer: Informer<KubeObject>): void {
    this.enqueueOn(informer, (o) => (o.metadata.labels?.skip ? undefined : objectKey(o)));
  }
  add(key: string): void {
    this.queue.add(key);
  }
}

const until = async (what: string, fn: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('keys are synced by the workers; a failed sync (a 409 too) is requeued and synced again; stop ends the workers', async () => {
  const c = new Probe();
  c.failures.set('a', new Error('boom'));
  c.failures.set('b', new StatusError(409, 'Conflict', 'the object has been modified'));
  c.run(2);
  c.add('a');
  c.add('b');
  c.add('c');
  await until('a and b synced twice', () => c.synced.filter((k) => k === 'a').length === 2 && c.synced.filter((k) => k === 'b').length === 2);
  assert.deepEqual(c.synced.filter((k) => k === 'c'), ['c']);
  await c.stop();
  c.add('d');
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(!c.synced.includes('d'), 'nothing is synced after stop');
});

test('enqueueOn turns every add, update and delete into the key keyOf gives, skipping undefined', async () => {
  const informer = new Informer<KubeObject>(new ResourceClient<KubeObject>({} as RestClient, refs.pods));
  const handlers: Array<{ add?(o: KubeObject): void; update?(a: KubeObject, b: KubeObject): void; delete?(o: KubeObject): void }> = [];
  informer.addEventHandler = (h) => void handlers.push(h);
  const c = new Probe();
  c.wire(informer);
  c.run(1);
  const pod = (name: string, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', labels } });
  handlers[0].add!(pod('p1'));
  handlers[0].update!(pod('p2'), pod('p2'));
  handlers[0].delete!(pod('p3'));
  handlers[0].add!(pod('p4', { skip: 'yes' }));
  await until('three synced', () => c.synced.length === 3);
  await c.stop();
  assert.deepEqual([...c.synced].sort(), ['ns/p1', 'ns/p2', 'ns/p3']);
});
