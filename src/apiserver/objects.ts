// Object storage for the REST handlers, as kube's generic registry store does it: keys, reads,
// version conversion, the guaranteed-update loop (re-read and retry on a revision race unless the
// client sent a resourceVersion precondition), and translation of store errors into Status errors.
import crypto from 'node:crypto';
import {
  alreadyExists,
  conflict,
  notFound,
  OBJECT_MODIFIED,
  storageInfo,
  type KubeObject,
  type ResourceInfo,
} from '../api/index.js';
import { ConflictError, KeyExistsError, NotFoundError, type KeyValue, type Store } from '../storage/index.js';
import { decodeKv, REGISTRY_PREFIX } from './watch-cache.js';
import { fromStorage, toStorage } from './model.js';

export function objectKey(info: ResourceInfo, namespace: string, name: string): string {
  return info.namespaced ? `${REGISTRY_PREFIX}${info.storageResource}/${namespace}/${name}` : `${REGISTRY_PREFIX}${info.storageResource}/${name}`;
}

/** The key prefix a list covers: one namespace (trailing slash, so "a" does not match "ab") or all. */
export function listPrefix(info: ResourceInfo, namespace: string): string {
  return info.namespaced && namespace ? `${REGISTRY_PREFIX}${info.storageResource}/${namespace}/` : `${REGISTRY_PREFIX}${info.storageResource}/`;
}

/** RFC 3339 with second precision, as metav1.Time marshals; `inSeconds` from now. */
export function nowTimestamp(inSeconds = 0): string {
  return new Date(Date.now() + inSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newUid(): string {
  return crypto.randomUUID();
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName + 5 characters from kube's alphabet (no vowels, no confusable digits). */
export function generatedName(prefix: string): string {
  const bytes = crypto.randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += GENERATE_ALPHABET[b % GENERATE_ALPHABET.length];
  return prefix.slice(0, 63 - 5) + suffix;
}

export function storeError(err: unknown, info: ResourceInfo, name: string): unknown {
  if (err instanceof KeyExistsError) return alreadyExists(info.resource, info.group, name);
  if (err instanceof NotFoundError) return notFound(info.resource, info.group, name);
  if (err instanceof ConflictError) return conflict(info.resource, info.group, name, OBJECT_MODIFIED);
  return err;
}

/** Converts a stored object to the version of `info` (a no-op when info is the storage version). */
export function outputObject(info: ResourceInfo, stored: KubeObject): KubeObject {
  return storageInfo(info) === info ? stored : fromStorage(info, stored);
}

function serialize(info: ResourceInfo, obj: KubeObject): string {
  const stored = storageInfo(info) === info ? obj : toStorage(info, obj);
  const { resourceVersion: _rv, ...metadata } = stored.metadata;
  return JSON.stringify({ ...stored, metadata });
}

export class ObjectStorage {
  constructor(readonly store: Store) {}

  async getKv(info: ResourceInfo, namespace: string, name: string): Promise<KeyValue> {
    const kv = await this.store.get(objectKey(info, namespace, name));
    if (!kv) throw notFound(info.resource, info.group, name);
    return kv;
  }

  /** The current object in the version of `info`, with resourceVersion set. */
  async get(info: ResourceInfo, namespace: string, name: string): Promise<KubeObject> {
    return outputObject(info, decodeKv(await this.getKv(info, namespace, name)).obj);
  }

  async create(info: ResourceInfo, obj: KubeObject): Promise<KubeObject> {
    const name = obj.metadata.name ?? '';
    try {
      const kv = await this.store.create(objectKey(info, obj.metadata.namespace ?? '', name), serialize(info, obj));
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(kv.modRevision) } };
    } catch (err) {
      throw storeError(err, info, name);
    }
  }

  /**
   * Reads the object, lets `mutate` compute the new one and writes it guarded by the revision read.
   * A revision race is retried with a fresh read unless the new object carries the resourceVersion
   * the client expected (then it is a 409 Conflict, as kube's GuaranteedUpdate with preconditions).
   * `mutate` returning null means "delete instead" (finalizers emptied on a deleted object).
   */
  async update(
    info: ResourceInfo,
    namespace: string,
    name: string,
    mutate: (current: KubeObject) => Promise<KubeObject | null>,
    dryRun: boolean,
  ): Promise<{ obj: KubeObject; deleted: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.getKv(info, namespace, name);
      const current = outputObject(info, decodeKv(kv).obj);
      const next = await mutate(structuredClone(current));
      if (next === null) {
        if (dryRun) return { obj: current, deleted: true };
        try {
          const deleted = await this.store.delete(kv.key, kv.modRevision);
          return { obj: { ...current, metadata: { ...current.metadata, resourceVersion: String(deleted.modRevision) } }, deleted: true };
        } catch (err) {
          if (err instanceof ConflictError && attempt < 10) continue;
          throw storeError(err, info, name);
        }
      }
      const wanted = next.metadata.resourceVersion;
      if (wanted && wanted !== String(kv.modRevision)) throw conflict(info.resource, info.group, name, OBJECT_MODIFIED);
      if (dryRun) return { obj: next, deleted: false };
      const value = serialize(info, next);
      // An update that changes nothing writes nothing, so it neither bumps resourceVersion nor wakes watchers.
      if (value === serialize(info, current)) return { obj: current, deleted: false };
      try {
        const written = await this.store.update(kv.key, value, kv.modRevision);
        return { obj: { ...next, metadata: { ...next.metadata, resourceVersion: String(written.modRevision) } }, deleted: false };
      } catch (err) {
        if (err instanceof ConflictError && !wanted && attempt < 10) continue;
        throw storeError(err, info, name);
      }
    }
  }

  async delete(info: ResourceInfo, kv: KeyValue, name: string): Promise<KubeObject> {
    try {
      const deleted = await this.store.delete(kv.key, kv.modRevision);
      return outputObject(info, decodeKv(deleted).obj);
    } catch (err) {
      throw storeError(err, info, name);
    }
  }
}
