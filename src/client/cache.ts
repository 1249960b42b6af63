// The informer's local copy of objects: a map by "namespace/name" with secondary indexes (namespace,
// a label's value, or any function), and listers that read it — client-go's cache.Indexer and listers.
import type { KubeObject } from '../api/index.js';

export type IndexFunc<T> = (obj: T) => string[];

/** Anything that can test a label set: the selectors of src/api have this shape. */
export interface LabelMatcher {
  matches(labels: Record<string, string>): boolean;
}

export const NAMESPACE_INDEX = 'namespace';

/** "namespace/name" for namespaced objects, "name" otherwise (client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name}` : String(obj.metadata.name);
}

/** Splits a key made by objectKey back into its parts. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export const namespaceIndexFunc: IndexFunc<KubeObject> = (obj) => [obj.metadata.namespace ?? ''];

/** Indexes objects by the value of one label; objects without it are not indexed. */
export function labelIndexFunc(labelKey: string): IndexFunc<KubeObject> {
  return (obj) => {
    const v = obj.metadata.labels?.[labelKey];
    return v === undefined ? [] : [v];
  };
}

export class Indexer<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly funcs = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc as IndexFunc<T>, ...indexers });
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.funcs.has(name)) throw new Error(`indexer "${name}" already exists`);
      this.funcs.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) for (const value of fn(obj)) addTo(index, value, key);
    }
  }

  /** Stores obj and returns the previous version under its key. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.funcs) {
      const index = this.indices.get(name)!;
      for (const value of fn(obj)) addTo(index, value, key);
    }
    return old;
  }

  /** Removes the object stored under obj's key and returns it. */
  delete(obj: T): T | undefined {
    return this.deleteKey(objectKey(obj));
  }

  deleteKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  list(): T[] {
    return [...this.items.values()];
  }

  get size(): number {
    return this.items.size;
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    const keys = index.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) out.push(this.items.get(key)!);
    return out;
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.funcs) {
      const index = this.indices.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let keys = index.get(value);
  if (!keys) index.set(value, (keys = new Set()));
  keys.add(key);
}

/** Read access to an informer's cache, as controllers use it. */
export class Lister<T extends KubeObject> {
  constructor(private readonly indexer: Indexer<T>) {}

  /** Every object, optionally only those whose labels match. */
  list(selector?: LabelMatcher): T[] {
    return filterLabels(this.indexer.list(), selector);
  }

  listInNamespace(namespace: string, selector?: LabelMatcher): T[] {
    return filterLabels(this.indexer.byIndex(NAMESPACE_INDEX, namespace), selector);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.indexer.get(namespace ? `${namespace}/${name}` : name);
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexer.byIndex(indexName, value);
  }
}

function filterLabels<T extends KubeObject>(objs: T[], selector: LabelMatcher | undefined): T[] {
  if (!selector) return objs;
  return objs.filter((o) => selector.matches(o.metadata.labels ?? {}));
}
