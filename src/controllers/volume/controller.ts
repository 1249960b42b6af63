// The PersistentVolume controller (pkg/controller/volume/persistentvolume) with k3s' local-path
// provisioner built in. Claims are bound to the best matching volume (both sides written: the volume's
// claimRef, the claim's volumeName and Bound phases); a claim of a local-path class with no match gets a
// new hostPath volume under the storage dir, pinned to one node — for WaitForFirstConsumer only once a
// pod uses the claim, on that pod's node (or the node the scheduler selected). A volume whose claim is
// gone is Released and reclaimed: Delete removes it (and a local-path directory), Recycle makes it
// Available again, Retain keeps it Released.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { KubeObject } from '../../api/index.js';
import { EventRecorder, isAlreadyExists, isConflict, isNotFound, objectKey, refs, rfc3339, ResourceClient, requeueOnConflict, runWorkers, splitKey, WorkQueue, type Informer, type Pod } from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { bestMatch, claimClass, type PersistentVolume, type PersistentVolumeClaim } from './matching.js';

export const STORAGE_CLASSES = { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', namespaced: false, kind: 'StorageClass' };
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const LOCAL_PATH_CLASS = 'local-path';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** k3s' default --default-local-storage-path. */
export const DEFAULT_STORAGE_DIR = '/var/lib/skiff/storage';
/** The queue item that (re)creates the default StorageClass, retried with backoff like any sync. */
const DEFAULT_CLASS_KEY = 'default-class';

interface StorageClass extends KubeObject {
  provisioner: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
}

interface Node extends KubeObject {
  spec?: { unschedulable?: boolean };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

export class PersistentVolumeController implements Controller {
  readonly name = 'persistentvolume-binder';
  private readonly queue = new WorkQueue<string>();
  private readonly pvs: Informer<PersistentVolume>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly classes: Informer<StorageClass>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly pvClient: ResourceClient<PersistentVolume>;
  private readonly claimClient: ResourceClient<PersistentVolumeClaim>;
  private readonly classClient: ResourceClient<StorageClass>;
  private readonly recorder: EventRecorder;
  private readonly storageDir: string;
  private workers?: Promise<void>;

  constructor(ctx: ControllerContext) {
    this.storageDir = ctx.storageDir ?? DEFAULT_STORAGE_DIR;
    this.pvs = ctx.informers.informer<PersistentVolume>(refs.persistentVolumes);
    this.claims = ctx.informers.informer<PersistentVolumeClaim>(refs.persistentVolumeClaims);
    this.classes = ctx.informers.informer<StorageClass>(STORAGE_CLASSES);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.nodes = ctx.informers.informer<Node>(refs.nodes);
    this.pvClient = new ResourceClient<PersistentVolume>(ctx.rest, refs.persistentVolumes);
    this.claimClient = new ResourceClient<PersistentVolumeClaim>(ctx.rest, refs.persistentVolumeClaims);
    this.classClient = new ResourceClient<StorageClass>(ctx.rest, STORAGE_CLASSES);
    this.recorder = new EventRecorder(ctx.rest, { component: 'persistentvolume-controller' });
    const claimKey = (c: KubeObject): void => this.queue.add(`claim:${objectKey(c)}`);
    const volumeKey = (v: PersistentVolume): void => {
      this.queue.add(`volume:${v.metadata.name}`);
      const ref = v.spec.claimRef;
      if (ref?.name) this.queue.add(`claim:${ref.namespace}/${ref.name}`);
    };
    this.claims.addEventHandler({ add: claimKey, update: (_o, n) => claimKey(n), delete: (c) => this.claimGone(c) });
    this.pvs.addEventHandler({ add: volumeKey, update: (_o, n) => volumeKey(n), delete: volumeKey });
    // A new consumer is what a WaitForFirstConsumer claim waits for.
    const podChanged = (p: Pod): void => {
      for (const v of p.spec.volumes ?? []) if (v.persistentVolumeClaim) this.queue.add(`claim:${p.metadata.namespace}/${v.persistentVolumeClaim.claimName}`);
    };
    this.pods.addEventHandler({ add: podChanged, update: (_o, n) => podChanged(n) });
  }

  run(workers: number): void {
    this.workers = runWorkers(this.queue, workers, requeueOnConflict(this.queue, (key) => this.sync(key), this.name), this.name);
    this.queue.add(DEFAULT_CLASS_KEY);
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.workers;
    await this.recorder.flush();
  }

  /** k3s ships local-path as the default StorageClass. */
  private async ensureDefaultClass(): Promise<void> {
    if (this.classes.lister.get(LOCAL_PATH_CLASS)) return;
    await this.classClient
      .create({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: LOCAL_PATH_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
        provisioner: LOCAL_PATH_PROVISIONER,
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'WaitForFirstConsumer',
      })
      .catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
  }

  private claimGone(claim: PersistentVolumeClaim): void {
    if (claim.spec.volumeName) this.queue.add(`volume:${claim.spec.volumeName}`);
  }

  async sync(key: string): Promise<void> {
    if (key === DEFAULT_CLASS_KEY) return this.ensureDefaultClass();
    const [kind, rest] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'volume') return this.syncVolume(rest);
    const { namespace, name } = splitKey(rest);
    const claim = this.claims.lister.get(name, namespace);
    if (claim && !claim.metadata.deletionTimestamp) await this.syncClaim(claim);
  }

  private async syncClaim(claim: PersistentVolumeClaim): Promise<void> {
    if (claim.spec.volumeName) {
      const pv = this.pvs.lister.get(claim.spec.volumeName);
      if (pv) await this.bind(pv, claim);
      return;
    }
    const match = bestMatch(this.pvs.lister.list(), claim);
    if (match) return this.bind(match, claim);
    const cls = this.classes.lister.get(claimClass(claim));
    if (!cls || cls.provisioner !== LOCAL_PATH_PROVISIONER) {
      const message = claimClass(claim) ? `storageclass.storage.k8s.io "${claimClass(claim)}" not found` : 'no persistent volumes available for this claim and no storage class is set';
      if (!cls || claimClass(claim) === '') this.recorder.event(claim, 'Normal', 'FailedBinding', message);
      return;
    }
    const node = this.nodeFor(claim, cls);
    if (!node) {
      this.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return;
    }
    const pv = await this.provision(claim, cls, node);
    if (pv) await this.bind(pv, claim);
  }

  /** The node a local-path volume goes to; undefined while a WaitForFirstConsumer claim has no consumer. */
  private nodeFor(claim: PersistentVolumeClaim, cls: StorageClass): string | undefined {
    const selected = claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
    if (selected) return selected;
    const consumers = this.pods.lister
      .listInNamespace(claim.metadata.namespace ?? '')
      .filter((p) => !p.metadata.deletionTimestamp && (p.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name));
    const placed = consumers.find((p) => p.spec.nodeName)?.spec.nodeName;
    if (placed) return placed;
    if (cls.volumeBindingMode === 'WaitForFirstConsumer' && !consumers.length) return undefined;
    // Our scheduler places a pod only once its claims are bound, so the first consumer's volume goes
    // to a node that can take pods now.
    const ready = this.nodes.lister
      .list()
      .filter((n) => !n.spec?.unschedulable && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
    return ready[0]?.metadata.name;
  }

  private async provision(claim: PersistentVolumeClaim, cls: StorageClass, node: string): Promise<PersistentVolume | undefined> {
    const name = `pvc-${claim.metadata.uid}`;
    const existing = this.pvs.lister.get(name);
    if (existing) return existing;
    const dir = path.join(this.storageDir, `${name}_${claim.metadata.namespace}_${claim.metadata.name}`);
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': LOCAL_PATH_PROVISIONER, 'local.path.provisioner/selected-node': node } },
      spec: {
        capacity: { storage: claim.spec.resources?.requests?.storage ?? '1Gi' },
        accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'],
        storageClassName: cls.metadata.name,
        volumeMode: claim.spec.volumeMode ?? 'Filesystem',
        persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
        hostPath: { path: dir, type: 'DirectoryOrCreate' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
      },
    };
    try {
      const created = await this.pvClient.create(pv);
      this.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
      return created;
    } catch (err) {
      if (isAlreadyExists(err)) return undefined;
      throw err;
    }
  }

  /** Writes both halves of a binding, volume first (kube's order), each only when it differs. */
  private async bind(pv: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    const ref = pv.spec.claimRef;
    if (ref && (ref.namespace !== claim.metadata.namespace || ref.name !== claim.metadata.name || (ref.uid && ref.uid !== claim.metadata.uid))) return;
    let volume = pv;
    if (!ref?.uid) {
      volume = await this.pvClient.update({
        ...pv,
        metadata: { ...pv.metadata, annotations: { ...(pv.metadata.annotations ?? {}), 'pv.kubernetes.io/bound-by-controller': 'yes' } },
        spec: { ...pv.spec, claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion } },
      });
    }
    if (volume.status?.phase !== 'Bound') {
      volume = await this.pvClient.updateStatus({ ...volume, status: { ...volume.status, phase: 'Bound', lastPhaseTransitionTime: rfc3339() } });
    }
    let current = claim;
    if (current.spec.volumeName !== volume.metadata.name) {
      current = await this.claimClient.update({
        ...current,
        metadata: { ...current.metadata, annotations: { ...(current.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } },
        spec: { ...current.spec, volumeName: volume.metadata.name },
      });
    }
    if (current.status?.phase !== 'Bound') {
      await this.claimClient.updateStatus({ ...current, status: { ...current.status, phase: 'Bound', accessModes: volume.spec.accessModes, capacity: volume.spec.capacity } });
    }
  }

  private async syncVolume(name: string): Promise<void> {
    const pv = this.pvs.lister.get(name);
    if (!pv || pv.metadata.deletionTimestamp) return;
    const ref = pv.spec.claimRef;
    if (!ref) {
      if (pv.status?.phase !== 'Available') await this.setPhase(pv, 'Available');
      return;
    }
    if (!ref.uid) return;
    const claim = this.claims.lister.get(ref.name!, ref.namespace);
    if (claim && claim.metadata.uid === ref.uid) return;
    // The claim may be newer than our cache: ask before releasing.
    const fresh = await this.claimClient.get(ref.name!, ref.namespace).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (fresh && fresh.metadata.uid === ref.uid) return;
    await this.reclaim(pv);
  }

  private async reclaim(pv: PersistentVolume): Promise<void> {
    const policy = pv.spec.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Delete') {
      const dir = pv.spec.hostPath?.path;
      if (pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] === LOCAL_PATH_PROVISIONER && dir && path.dirname(dir) === this.storageDir) {
        await fs.rm(dir, { recursive: true, force: true });
      }
      await this.pvClient.delete(pv.metadata.name!).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      return;
    }
    if (policy === 'Recycle') {
      // No scrubber pod here: the volume is handed out again as it is.
      const { claimRef: _gone, ...spec } = pv.spec;
      const updated = await this.pvClient.update({ ...pv, spec });
      await this.setPhase(updated, 'Available');
      this.recorder.event(pv, 'Normal', 'RecyclerPod', 'Recycler pod: Successfully assigned volume to be recycled');
      return;
    }
    if (pv.status?.phase !== 'Released') await this.setPhase(pv, 'Released');
  }

  private async setPhase(pv: PersistentVolume, phase: string): Promise<void> {
    try {
      await this.pvClient.updateStatus({ ...pv, status: { ...pv.status, phase, lastPhaseTransitionTime: rfc3339() } });
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }
}
