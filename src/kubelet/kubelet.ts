// The kubelet's pod manager: pods bound to this node (an informer with spec.nodeName=<node>) each get
// a PodWorker; a relist of the runtime every second (kubelet's PLEG) wakes the workers whose
// containers changed; sandboxes of pods that no longer exist are removed (after an agent restart
// too). Static pods from the manifest directory get workers of their own, with mirror pods in the API
// carrying their status. It is also the NodeContext the workers use and the lookup the streaming server
// uses.
import fs from 'node:fs';
import path from 'node:path';
import { EventRecorder, Informer, isConflict, isNotFound, ResourceClient, refs, type RestClient } from '../client/index.js';
import type { KubeObject } from '../api/index.js';
import type { ContainerStatusCRI } from '../engine/index.js';
import type { EnvSources, ServiceInfo } from './env.js';
import type { NodeContext } from './node-context.js';
import { isMirrorPod, MirrorPods, mirrorOf } from './mirror-pods.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID, PodWorker } from './pod-worker.js';
import type { CachedRuntime } from './runtime-cache.js';
import { CONFIG_SOURCE_ANNOTATION, ManifestSource } from './static-pods.js';
import type { PullSecret } from './pull-secrets.js';
import type { Pod, PodStatus } from '../client/index.js';
import type { VolumeSources } from './volumes.js';

const RELIST_MS = 1000;
/** Periodic full sync of every pod: configMap/secret volumes and status refresh. */
const RESYNC_MS = 10_000;

const SERVICES = { group: '', version: 'v1', resource: 'services', namespaced: true, kind: 'Service' };
const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const SECRETS = { group: '', version: 'v1', resource: 'secrets', namespaced: true, kind: 'Secret' };

export interface KubeletOptions {
  client: RestClient;
  runtime: CachedRuntime;
  nodeName: string;
  nodeIP: string;
  /** Node state: pods/ (volumes) and logs/. */
  stateDir: string;
  podNetwork?: string;
  clusterDNS: string;
  clusterDomain: string;
  memoryCapacity: number;
  allocatable: EnvSources['nodeAllocatable'];
  /** Directory of static pod manifests (watched); none = no static pods. */
  podManifestPath?: string;
  log?: (message: string) => void;
}

interface ServiceObject extends KubeObject {
  spec?: { clusterIP?: string; ports?: Array<{ name?: string; port: number; protocol?: string }> };
}

export class Kubelet implements NodeContext {
  readonly runtime: CachedRuntime;
  readonly recorder: EventRecorder;
  readonly nodeName: string;
  readonly nodeIP: string;
  readonly podsDir: string;
  readonly logsDir: string;
  readonly podNetwork?: string;
  readonly podIPReachable: boolean;
  readonly memoryCapacity: number;
  readonly clusterDomain: string;
  private readonly pods: Informer<Pod>;
  private readonly services: Informer<ServiceObject>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly workers = new Map<string, PodWorker>();
  private readonly fingerprints = new Map<string, string>();
  private readonly tokens = new Map<string, { token: string; refreshAt: number }>();
  /** Static pods by uid, as the manifest directory describes them. */
  private readonly staticPods = new Map<string, Pod>();
  private readonly manifests?: ManifestSource;
  private readonly mirrors: MirrorPods;
  private mirrorSync?: Promise<void>;
  private mirrorAgain = false;
  private nodeUid?: string;
  private relistTimer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly o: KubeletOptions) {
    this.runtime = o.runtime;
    this.nodeName = o.nodeName;
    this.nodeIP = o.nodeIP;
    this.podsDir = path.join(o.stateDir, 'pods');
    this.logsDir = path.join(o.stateDir, 'logs');
    this.podNetwork = o.podNetwork;
    this.podIPReachable = Boolean(o.podNetwork);
    this.memoryCapacity = o.memoryCapacity;
    this.clusterDomain = o.clusterDomain;
    this.recorder = new EventRecorder(o.client, { component: 'kubelet', host: o.nodeName });
    this.podClient = new ResourceClient<Pod>(o.client, refs.pods);
    this.pods = new Informer<Pod>(this.podClient, { fieldSelector: `spec.nodeName=${o.nodeName}` });
    this.services = new Informer<ServiceObject>(new ResourceClient<ServiceObject>(o.client, SERVICES));
    this.mirrors = new MirrorPods(this.podClient, () => this.nodeRef(), (m) => this.log(m));
    if (o.podManifestPath) this.manifests = new ManifestSource(o.podManifestPath, o.nodeName, (pods) => this.setStaticPods(pods), (m) => this.log(m));
    fs.mkdirSync(this.podsDir, { recursive: true });
    fs.mkdirSync(this.logsDir, { recursive: true });
  }

  log(message: string): void {
    (this.o.log ?? ((m: string) => process.stderr.write(`kubelet: ${m}\n`)))(message);
  }

  async start(): Promise<void> {
    this.services.start();
    this.pods.addEventHandler({
      add: (pod) => this.upsert(pod),
      update: (_old, pod) => this.upsert(pod),
      delete: (pod) => {
        if (isMirrorPod(pod)) return this.syncMirrors();
        const w = this.workers.get(pod.metadata.uid!);
        if (!w) return;
        w.deleted = true;
        w.kick();
      },
    });
    this.pods.start();
    await Promise.all([this.pods.waitForSync(), this.services.waitForSync()]);
    if (this.manifests) this.setStaticPods(this.manifests.start());
    await this.removeOrphans();
    this.relistTimer = setInterval(() => this.relist(), RELIST_MS);
    this.resyncTimer = setInterval(() => {
      for (const w of this.workers.values()) w.kick();
      this.syncMirrors();
    }, RESYNC_MS);
  }

  /** Stops watching and probing; containers keep running (they belong to conmon, not to us). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.relistTimer);
    clearInterval(this.resyncTimer);
    this.manifests?.stop();
    await this.mirrorSync;
    this.pods.stop();
    this.services.stop();
    await Promise.all([...this.workers.values()].map((w) => w.halt()));
    await this.recorder.flush();
  }

  private upsert(pod: Pod): void {
    if (this.stopped) return;
    if (isMirrorPod(pod)) return this.syncMirrors();
    const uid = pod.metadata.uid!;
    let w = this.workers.get(uid);
    if (!w) {
      w = new PodWorker(pod, this, (id) => this.workers.delete(id));
      this.workers.set(uid, w);
    } else {
      // Our own status writes come back through the watch; the newer resourceVersion wins.
      if (Number(pod.metadata.resourceVersion) < Number(w.pod.metadata.resourceVersion)) return;
      const before = desired(w.pod);
      w.pod = pod;
      // A status-only change (mostly our own write) needs no sync; relists and resyncs cover the rest.
      if (desired(pod) === before) return;
    }
    w.kick();
  }

  /**
   * The manifest directory changed: pods whose file went away (or changed: a new uid) stop within their
   * grace period and lose their mirror; new ones start, picking up the status of a mirror left from
   * before an agent restart.
   */
  private setStaticPods(pods: Pod[]): void {
    if (this.stopped) return;
    const next = new Map(pods.map((p) => [p.metadata.uid!, p]));
    for (const uid of this.staticPods.keys()) {
      if (next.has(uid)) continue;
      this.staticPods.delete(uid);
      const w = this.workers.get(uid);
      if (!w) continue;
      this.log(`static pod ${w.pod.metadata.namespace}/${w.pod.metadata.name} is no longer in ${this.o.podManifestPath}; stopping it`);
      w.pod = { ...w.pod, metadata: { ...w.pod.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: w.pod.spec.terminationGracePeriodSeconds ?? 30 } };
      w.kick();
    }
    for (const [uid, pod] of next) {
      if (this.staticPods.has(uid)) continue;
      this.staticPods.set(uid, pod);
      const status = this.mirrorFor(pod)?.status;
      const w = new PodWorker(status ? { ...pod, status } : pod, this, (id) => this.workers.delete(id));
      this.workers.set(uid, w);
      w.kick();
    }
    this.syncMirrors();
  }

  /** One mirror pod per static pod; passes never overlap, a request during one runs another after it. */
  private syncMirrors(): void {
    if (!this.manifests || this.stopped) return;
    if (this.mirrorSync) {
      this.mirrorAgain = true;
      return;
    }
    this.mirrorSync = (async () => {
      do {
        this.mirrorAgain = false;
        try {
          const { created, again } = await this.mirrors.reconcile(this.staticPods.values(), this.pods.indexer.list());
          // A new mirror starts without status: the worker writes it again.
          for (const uid of created) this.workers.get(uid)?.statusLost();
          if (again !== undefined) setTimeout(() => this.syncMirrors(), again + 10).unref();
        } catch (err) {
          // The resync timer tries again.
          if (!this.stopped) this.log(`mirror pods: ${err instanceof Error ? err.message : String(err)}`);
        }
      } while (this.mirrorAgain && !this.stopped);
      this.mirrorSync = undefined;
    })();
  }

  private async nodeRef(): Promise<{ name: string; uid: string }> {
    this.nodeUid ??= (await new ResourceClient<KubeObject>(this.o.client, refs.nodes).get(this.nodeName)).metadata.uid;
    return { name: this.nodeName, uid: this.nodeUid ?? '' };
  }

  /** The current mirror pod of a static pod, if the API has one. */
  private mirrorFor(pod: Pod): Pod | undefined {
    const m = this.pods.lister.get(pod.metadata.name!, pod.metadata.namespace);
    return m && mirrorOf(m) === pod.metadata.uid && !m.metadata.deletionTimestamp ? m : undefined;
  }

  /**
   * Sandboxes and containers whose pod is not bound here any more (deleted while we were away), and the
   * /dev/shm mounts of sandboxes that went without being removed through the runtime.
   */
  private async removeOrphans(): Promise<void> {
    const known = new Set([...this.pods.indexer.list().map((p) => p.metadata.uid), ...this.staticPods.keys()]);
    for (const sb of this.runtime.listPodSandbox()) {
      const uid = sb.labels[LABEL_POD_UID];
      if (!uid || known.has(uid)) continue;
      this.log(`removing sandbox ${sb.id.slice(0, 12)} of pod ${sb.metadata.namespace}/${sb.metadata.name}, which no longer exists`);
      await this.runtime.stopPodSandbox(sb.id);
      await this.runtime.removePodSandbox(sb.id);
      fs.rmSync(path.join(this.podsDir, uid), { recursive: true, force: true });
    }
    this.runtime.releaseStaleSandboxShms();
  }

  /** Wakes the workers of pods whose containers changed state since the last look (PLEG). */
  private relist(): void {
    this.runtime.invalidate();
    const by = new Map<string, string[]>();
    for (const s of this.runtime.listContainers()) {
      const uid = s.labels[LABEL_POD_UID];
      if (!uid) continue;
      if (!by.has(uid)) by.set(uid, []);
      by.get(uid)!.push(`${s.id}:${s.state}`);
    }
    for (const sb of this.runtime.listPodSandbox()) {
      const uid = sb.labels[LABEL_POD_UID];
      if (uid) (by.get(uid) ?? by.set(uid, []).get(uid)!).push(`${sb.id}:${sb.state}`);
    }
    for (const [uid, w] of this.workers) {
      const fp = (by.get(uid) ?? []).sort().join(',');
      if (this.fingerprints.get(uid) !== fp) {
        this.fingerprints.set(uid, fp);
        w.kick();
      }
    }
    for (const uid of this.fingerprints.keys()) if (!this.workers.has(uid)) this.fingerprints.delete(uid);
  }

  // ---- NodeContext ------------------------------------------------------------------------------------

  private async getData(ref: typeof CONFIGMAPS, namespace: string, name: string): Promise<Record<string, Buffer> | undefined> {
    try {
      const obj = (await new ResourceClient(this.o.client, ref).get(name, namespace)) as KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> };
      const out: Record<string, Buffer> = {};
      const secret = ref === SECRETS;
      for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = secret ? Buffer.from(v, 'base64') : Buffer.from(v);
      for (const [k, v] of Object.entries(obj.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
      return out;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  envSources(pod: Pod): EnvSources {
    const ns = pod.metadata.namespace ?? 'default';
    const strings = async (ref: typeof CONFIGMAPS, name: string): Promise<Record<string, string> | undefined> => {
      const data = await this.getData(ref, ns, name);
      return data && Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString()]));
    };
    const services: ServiceInfo[] = this.services.indexer
      .list()
      .filter((s) => s.metadata.namespace === ns || (s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes'))
      .map((s) => ({ name: s.metadata.name ?? '', clusterIP: s.spec?.clusterIP ?? '', ports: s.spec?.ports ?? [] }));
    return { configMap: (n) => strings(CONFIGMAPS, n), secret: (n) => strings(SECRETS, n), services, nodeAllocatable: this.o.allocatable };
  }

  volumeSources(pod: Pod): VolumeSources {
    const ns = pod.metadata.namespace ?? 'default';
    return {
      configMap: async (n) => {
        const data = await this.getData(CONFIGMAPS, ns, n);
        return data && { data };
      },
      secret: async (n) => {
        const data = await this.getData(SECRETS, ns, n);
        return data && { data };
      },
      claimPath: (claim) => this.claimPath(ns, claim),
      serviceAccountToken: (audience, expirationSeconds) => this.serviceAccountToken(pod, audience, expirationSeconds),
      nodeAllocatable: this.o.allocatable,
    };
  }

  async imagePullSecrets(pod: Pod): Promise<{ secrets: PullSecret[]; missing: string[] }> {
    const ns = pod.metadata.namespace ?? 'default';
    // The service account's pull secrets were copied into the pod at admission.
    const names = (pod.spec.imagePullSecrets ?? []).map((r) => r.name);
    const secrets: PullSecret[] = [];
    const missing: string[] = [];
    for (const name of names) {
      try {
        secrets.push((await new ResourceClient(this.o.client, SECRETS).get(name, ns)) as PullSecret);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        missing.push(name);
      }
    }
    return { secrets, missing };
  }

  /** Tokens are requested bound to the pod and reused until 80% of their life has passed, as kube's token manager does. */
  private async serviceAccountToken(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<string> {
    const ns = pod.metadata.namespace ?? 'default';
    const account = pod.spec.serviceAccountName || 'default';
    const key = `${pod.metadata.uid}/${account}/${audience ?? ''}/${expirationSeconds}`;
    const cached = this.tokens.get(key);
    if (cached && Date.now() < cached.refreshAt) return cached.token;
    for (const [k, t] of this.tokens) if (t.refreshAt < Date.now() - 3_600_000) this.tokens.delete(k);
    const answer = await this.o.client.request<{ status: { token: string; expirationTimestamp: string } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(account)}/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: audience ? [audience] : [], expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid } },
      },
    });
    const now = Date.now();
    const expires = Date.parse(answer.status.expirationTimestamp) || now + expirationSeconds * 1000;
    this.tokens.set(key, { token: answer.status.token, refreshAt: now + 0.8 * (expires - now) });
    return answer.status.token;
  }

  private async claimPath(ns: string, claim: string): Promise<string | { error: string }> {
    type PVC = KubeObject & { spec?: { volumeName?: string }; status?: { phase?: string } };
    type PV = KubeObject & { spec?: { hostPath?: { path: string }; local?: { path: string } } };
    let pvc: PVC;
    try {
      pvc = await new ResourceClient<PVC>(this.o.client, refs.persistentVolumeClaims).get(claim, ns);
    } catch (err) {
      if (isNotFound(err)) return { error: `persistentvolumeclaim "${claim}" not found` };
      throw err;
    }
    const pvName = pvc.spec?.volumeName;
    if (!pvName) return { error: `persistentvolumeclaim "${claim}" is not bound` };
    const pv = await new ResourceClient<PV>(this.o.client, refs.persistentVolumes).get(pvName);
    const p = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    if (!p) return { error: `persistentvolume "${pvName}" has no hostPath or local path this node can mount` };
    fs.mkdirSync(p, { recursive: true });
    return p;
  }

  dnsConfig(pod: Pod): { servers: string[]; searches: string[]; options: string[] } | undefined {
    const spec = pod.spec;
    let policy = spec.dnsPolicy ?? 'ClusterFirst';
    if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
    let base: { servers: string[]; searches: string[]; options: string[] };
    if (policy === 'None') base = { servers: [], searches: [], options: [] };
    else if (policy === 'Default') base = hostResolvConf();
    else {
      const ns = pod.metadata.namespace ?? 'default';
      const d = this.o.clusterDomain;
      base = { servers: [this.o.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d], options: ['ndots:5'] };
    }
    const extra = spec.dnsConfig;
    if (extra) {
      base.servers = [...new Set([...base.servers, ...(extra.nameservers ?? [])])];
      base.searches = [...new Set([...base.searches, ...(extra.searches ?? [])])];
      const opts = new Map(base.options.map((o) => [o.split(':')[0], o]));
      for (const o of extra.options ?? []) opts.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
      base.options = [...opts.values()];
    }
    return base;
  }

  async patchStatus(pod: Pod, status: PodStatus): Promise<Pod | undefined> {
    if (isStaticPod(pod)) {
      // A static pod's status lives on its mirror; without one (yet) it is written once the mirror exists.
      const mirror = this.mirrorFor(pod);
      if (!mirror) return undefined;
      try {
        const updated = await this.podClient.patch(mirror.metadata.name!, { metadata: { uid: mirror.metadata.uid }, status }, 'merge', { namespace: mirror.metadata.namespace, subresource: 'status' });
        return { ...pod, status: updated.status };
      } catch (err) {
        if (isNotFound(err) || isConflict(err)) return undefined;
        throw err;
      }
    }
    try {
      return await this.podClient.patch(pod.metadata.name!, { metadata: { uid: pod.metadata.uid }, status }, 'merge', { namespace: pod.metadata.namespace, subresource: 'status' });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async deletePod(pod: Pod): Promise<void> {
    if (isStaticPod(pod)) {
      // Its file is gone: the mirror goes, and the worker tears the pod down without waiting for the API.
      await this.mirrors.removeMirrorOf(pod, this.pods.indexer.list());
      const w = this.workers.get(pod.metadata.uid!);
      if (w) {
        w.deleted = true;
        w.kick();
      }
      return;
    }
    try {
      await this.podClient.delete(pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ---- lookups for streaming -------------------------------------------------------------------------

  /** The pod the API calls namespace/name; for a mirror pod, the static pod it stands for. */
  pod(namespace: string, name: string): Pod | undefined {
    const p = this.pods.lister.get(name, namespace);
    const uid = p && mirrorOf(p);
    return uid ? (this.workers.get(uid)?.pod ?? this.staticPods.get(uid)) : p;
  }

  /** The runtime container of a pod's container: the current attempt, or the one before it. */
  container(pod: Pod, name: string, previous = false): ContainerStatusCRI | undefined {
    const list = this.runtime
      .listContainers({ labelSelector: { [LABEL_POD_UID]: pod.metadata.uid!, [LABEL_CONTAINER_NAME]: name } })
      .sort((a, b) => b.metadata.attempt - a.metadata.attempt);
    return previous ? list[1] : list[0];
  }

  podAddress(pod: Pod): { ip: string; netnsPath: string } {
    const sb = this.runtime.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: pod.metadata.uid! } }).sort((a, b) => b.metadata.attempt - a.metadata.attempt)[0];
    if (pod.spec.hostNetwork) return { ip: '127.0.0.1', netnsPath: '' };
    return { ip: this.podIPReachable ? (sb?.network.ip ?? '') : '', netnsPath: sb?.netnsPath ?? '' };
  }
}

function isStaticPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[CONFIG_SOURCE_ANNOTATION] === 'file';
}

/** What a pod asks of the node: a change here means the worker must sync. */
function desired(pod: Pod): string {
  const m = pod.metadata;
  return JSON.stringify([pod.spec, m.deletionTimestamp, m.deletionGracePeriodSeconds, m.labels, m.annotations]);
}

function hostResolvConf(): { servers: string[]; searches: string[]; options: string[] } {
  const out = { servers: [] as string[], searches: [] as string[], options: [] as string[] };
  let text = '';
  try {
    text = fs.readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search') out.searches.push(...rest);
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}
