// Static pods (pkg/kubelet/config/file.go and common.go): one pod per file (YAML or JSON) in the pod
// manifest directory, run by this kubelet without the API server. Each is named <name>-<node>, bound to
// this node, tolerates every NoExecute taint and has a UID hashed from its file, its node and its
// content — so an edit is a new pod (the old one stops, the new one starts) and an agent restart finds
// the same UID on the containers it re-adopts. The API shows each one as a mirror pod (mirror-pods.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { applyDefaults, field, lookupResource, validate } from '../api/index.js';
import type { Pod } from '../client/index.js';

export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_SEEN_ANNOTATION = 'kubernetes.io/config.seen';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** The kubelet's fileCheckFrequency: a full rescan even when no change notification arrived. */
const RESCAN_MS = 20_000;
/** Editors write a file in several steps; read it once they are done. */
const SETTLE_MS = 100;

const PODS = lookupResource('', 'v1', 'pods')!;

/** A manifest that cannot become a pod: the file and what is wrong with it. */
export class ManifestError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`static pod manifest ${file}: ${message}`);
  }
}

/** The static pod one manifest file describes, as this node runs it. */
export function staticPodFromManifest(text: string, file: string, nodeName: string, seen: string): Pod {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new ManifestError(file, `invalid YAML or JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const obj = raw as Partial<Pod> | null;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new ManifestError(file, 'expected one Pod object');
  if (obj.kind !== 'Pod' || (obj.apiVersion ?? 'v1') !== 'v1') throw new ManifestError(file, `expected kind Pod of apiVersion v1, got ${String(obj.kind)} ${String(obj.apiVersion)}`);
  if (!obj.metadata?.name) throw new ManifestError(file, 'metadata.name is required');
  const uid = crypto.createHash('md5').update(JSON.stringify(obj)).update(`host:${nodeName}`).update(`file:${file}`).digest('hex');
  const pod = structuredClone(obj) as Pod;
  pod.apiVersion = 'v1';
  pod.metadata = {
    ...pod.metadata,
    name: `${obj.metadata.name}-${nodeName.toLowerCase()}`,
    namespace: pod.metadata.namespace || 'default',
    uid,
    annotations: { ...pod.metadata.annotations, [CONFIG_HASH_ANNOTATION]: uid, [CONFIG_SEEN_ANNOTATION]: seen, [CONFIG_SOURCE_ANNOTATION]: 'file' },
  };
  pod.spec = { ...pod.spec, nodeName };
  const tolerations = (pod.spec as { tolerations?: Array<Record<string, unknown>> }).tolerations ?? [];
  if (!tolerations.some((t) => t.operator === 'Exists' && !t.key && t.effect === 'NoExecute')) tolerations.push({ operator: 'Exists', effect: 'NoExecute' });
  (pod.spec as { tolerations?: unknown }).tolerations = tolerations;
  applyDefaults(PODS, pod);
  const errors = validate(PODS, pod);
  if (errors.length) throw new ManifestError(file, field.aggregateMessage(errors));
  pod.status = { phase: 'Pending' };
  return pod;
}

/**
 * Watches the manifest directory (not its subdirectories; dot files are skipped, as the kubelet does)
 * and reports the whole set of static pods after every change.
 */
export class ManifestSource {
  private watcher?: fs.FSWatcher;
  private rescan?: NodeJS.Timeout;
  private settle?: NodeJS.Timeout;
  /** uid → when this kubelet first saw it (kubernetes.io/config.seen). */
  private readonly seen = new Map<string, string>();
  private readonly reported = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly nodeName: string,
    private readonly onPods: (pods: Pod[]) => void,
    private readonly log: (message: string) => void,
  ) {}

  /** Reads the directory now and keeps watching it. */
  start(): Pod[] {
    fs.mkdirSync(this.dir, { recursive: true });
    const pods = this.read();
    try {
      this.watcher = fs.watch(this.dir, () => this.changed());
      this.watcher.on('error', () => undefined);
    } catch (err) {
      this.log(`cannot watch ${this.dir} (rescanning every ${RESCAN_MS / 1000}s): ${err instanceof Error ? err.message : String(err)}`);
    }
    this.rescan = setInterval(() => this.onPods(this.read()), RESCAN_MS);
    return pods;
  }

  stop(): void {
    this.watcher?.close();
    clearInterval(this.rescan);
    clearTimeout(this.settle);
  }

  private changed(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.onPods(this.read()), SETTLE_MS);
  }

  private read(): Pod[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => !n.startsWith('.')).sort();
    } catch (err) {
      this.log(`cannot read static pod manifests in ${this.dir}: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
    const pods: Pod[] = [];
    const problems = new Set<string>();
    for (const name of names) {
      const file = path.join(this.dir, name);
      let text: string;
      try {
        if (!fs.statSync(file).isFile()) continue;
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      try {
        const probe = staticPodFromManifest(text, file, this.nodeName, '');
        const uid = probe.metadata.uid!;
        if (!this.seen.has(uid)) this.seen.set(uid, new Date().toISOString());
        probe.metadata.annotations![CONFIG_SEEN_ANNOTATION] = this.seen.get(uid)!;
        if (pods.some((p) => p.metadata.name === probe.metadata.name && p.metadata.namespace === probe.metadata.namespace)) {
          throw new ManifestError(file, `another manifest already defines pod ${probe.metadata.namespace}/${probe.metadata.name}`);
        }
        pods.push(probe);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        problems.add(message);
        // Reported once per distinct problem, not on every rescan.
        if (!this.reported.has(message)) this.log(message);
      }
    }
    this.reported.clear();
    for (const p of problems) this.reported.add(p);
    const live = new Set(pods.map((p) => p.metadata.uid!));
    for (const uid of this.seen.keys()) if (!live.has(uid)) this.seen.delete(uid);
    return pods;
  }
}
