// The PersistentVolume controller (pkg/controller/volume/persistentvolume) with k3s' local-path
// provisioner built in. Claims are bound to the best matching volume (both sides written: the volume's
// claimRef, the claim's volumeName and Bound phases). A claim of a WaitForFirstConsumer class waits,
// with Kubernetes' events, until the scheduler picks a node for a pod using it and records it in the
// claim's selected-node annotation; the scheduler binds static volumes for such claims itself. A
// local-path claim with no volume gets a new hostPath volume under the storage dir pinned to its node.
// A volume whose claim is gone is Released and reclaimed: Delete removes it (and a local-path
// directory), Recycle scrubs it with a recycler pod and makes it Available, Retain keeps it Released.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { KubeObject } from '../../api/index.js';
import {
  bestMatch,
  BIND_COMPLETED_ANNOTATION,
  BOUND_BY_CONTROLLER_ANNOTATION,
  claimClass,
  isAlreadyExists,
  isNotFound,
  objectKey,
  QueueController,
  refs,
  rfc3339,
  ResourceClient,
  SELECTED_NODE_ANNOTATION,
  splitKey,
  volumeBoundToClaim,
  type ClaimRef,
  type CoreEvent,
  type EventRecorder,
  type EventType,
  type Informer,
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  type StorageClass,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { NO_RECYCLER_MESSAGE, RECYCLER_NAMESPACE, RECYCLER_POD_PREFIX, recyclerPod } from './recycler.js';

export const STORAGE_CLASSES = refs.storageClasses;
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const LOCAL_PATH_CLASS = 'local-path';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** k3s' default --default-local-storage-path. */
export const DEFAULT_STORAGE_DIR = '/var/lib/skiff/storage';
/** The queue item that (re)creates the default StorageClass, retried with backoff like any sync. */
const DEFAULT_CLASS_KEY = 'default-class';
/** kube's --pvclaimbinder-sync-period: a Failed volume's reclaim is tried again this often. */
const RETRY_FAILED_MS = 15_000;
/** The hostPath deleter only removes paths like this (hostPathDeleter.Delete). */
const HOST_PATH_DELETABLE = /^\/tmp\/.+/;

const isTerminated = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const claimsOf = (p: Pod): string[] => (p.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));

export class PersistentVolumeController extends QueueController implements Controller {
  private readonly pvs: Informer<PersistentVolume>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly classes: Informer<StorageClass>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly pvClient: ResourceClient<PersistentVolume>;
  private readonly claimClient: ResourceClient<PersistentVolumeClaim>;
  private readonly classClient: ResourceClient<StorageClass>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly eventClient: ResourceClient<CoreEvent>;
  private readonly recorder: EventRecorder;
  private readonly storageDir: string;
  /** When each volume's reclaim last failed (our clock), so a Failed volume is retried once a period. */
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    super('persistentvolume-binder');
    this.storageDir = ctx.storageDir ?? DEFAULT_STORAGE_DIR;
    this.pvs = ctx.informers.informer<PersistentVolume>(refs.persistentVolumes);
    this.claims = ctx.informers.informer<PersistentVolumeClaim>(refs.persistentVolumeClaims);
    this.classes = ctx.informers.informer<StorageClass>(refs.storageClasses);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.nodes = ctx.informers.informer<Node>(refs.nodes);
    this.pvClient = new ResourceClient<PersistentVolume>(ctx.rest, refs.persistentVolumes);
    this.claimClient = new ResourceClient<PersistentVolumeClaim>(ctx.rest, refs.persistentVolumeClaims);
    this.classClient = new ResourceClient<StorageClass>(ctx.rest, refs.storageClasses);
    this.podClient = new ResourceClient<Pod>(ctx.rest, refs.pods);
    this.eventClient = new ResourceClient<CoreEvent>(ctx.rest, refs.events);
    this.recorder = this.eventRecorder(ctx.rest, 'persistentvolume-controller');
    const claimKey = (c: KubeObject): void => this.queue.add(`claim:${objectKey(c)}`);
    const volumeKey = (v: PersistentVolume): void => {
      this.queue.add(`volume:${v.metadata.name}`);
      const ref = v.spec.claimRef;
      if (ref?.name) this.queue.add(`claim:${ref.namespace}/${ref.name}`);
    };
    this.claims.addEventHandler({
      add: claimKey,
      update: (_o, n) => claimKey(n),
      delete: (c) => {
        if (c.spec.volumeName) this.queue.add(`volume:${c.spec.volumeName}`);
      },
    });
    this.pvs.addEventHandler({
      add: volumeKey,
      update: (_o, n) => volumeKey(n),
      delete: (v) => {
        this.failedAt.delete(v.metadata.name!);
        volumeKey(v);
      },
    });
    // A recycler pod's progress moves its volume on; a consumer's changes what its waiting claims say.
    const podChanged = (p: Pod): void => {
      const name = p.metadata.name ?? '';
      if (p.metadata.namespace === RECYCLER_NAMESPACE && name.startsWith(RECYCLER_POD_PREFIX)) this.queue.add(`volume:${name.slice(RECYCLER_POD_PREFIX.length)}`);
      for (const claim of claimsOf(p)) this.queue.add(`claim:${p.metadata.namespace}/${claim}`);
    };
    this.pods.addEventHandler({ add: podChanged, update: (_o, n) => podChanged(n), delete: podChanged });
  }

  override run(workers: number): void {
    super.run(workers);
    this.queue.add(DEFAULT_CLASS_KEY);
  }

  async sync(key: string): Promise<void> {
    if (key === DEFAULT_CLASS_KEY) return this.ensureDefaultClass();
    const [kind, rest] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'volume') return this.syncVolume(rest);
    const { namespace, name } = splitKey(rest);
    const claim = this.claims.lister.get(name, namespace);
    if (claim && !claim.metadata.deletionTimestamp) await this.syncClaim(claim);
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

  /** syncUnboundClaim / syncBoundClaim, for the claims this controller binds or provisions. */
  private async syncClaim(claim: PersistentVolumeClaim): Promise<void> {
    if (claim.spec.volumeName) {
      const pv = this.pvs.lister.get(claim.spec.volumeName);
      if (pv) await this.bind(pv, claim);
      return;
    }
    const className = claimClass(claim);
    const cls = this.classes.lister.get(className);
    const delayBinding = cls?.volumeBindingMode === 'WaitForFirstConsumer';
    const match = bestMatch(this.pvs.lister.list(), claim, { delayBinding });
    if (match) return this.bind(match, claim);
    const selectedNode = claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
    if (delayBinding && !selectedNode) return this.waitingForConsumer(claim);
    if (!className) {
      this.recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    if (!cls) {
      this.recorder.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    if (cls.provisioner !== LOCAL_PATH_PROVISIONER) {
      this.recorder.event(
        claim,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${cls.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      );
      return;
    }
    // An Immediate local-path claim has no consumer to follow: it goes to the first node that takes pods.
    const node = selectedNode ?? this.readyNodes()[0];
    if (!node) {
      this.recorder.event(claim, 'Warning', 'ProvisioningFailed', 'no ready node to create a local-path volume on');
      return;
    }
    const pv = await this.provision(claim, cls, node);
    if (pv) await this.bind(pv, claim);
  }

  /** emitEventForUnboundDelayBindingClaim: which consumer the claim waits for, if any. */
  private waitingForConsumer(claim: PersistentVolumeClaim): void {
    const pending = this.pods.lister
      .listInNamespace(claim.metadata.namespace ?? '')
      .filter((p) => !isTerminated(p) && !p.spec.nodeName && claimsOf(p).includes(claim.metadata.name!))
      .map((p) => p.metadata.name!);
    if (!pending.length) this.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    else if (pending.length === 1) this.recorder.event(claim, 'Normal', 'WaitForPodScheduled', `waiting for pod ${pending[0]} to be scheduled`);
    else this.recorder.event(claim, 'Normal', 'WaitForPodScheduled', `waiting for pods ${pending.join(',')} to be scheduled`);
  }

  private readyNodes(): string[] {
    return this.nodes.lister
      .list()
      .filter((n) => !n.spec?.unschedulable && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((n) => n.metadata.name!)
      .sort();
  }

  private async provision(claim: PersistentVolumeClaim, cls: StorageClass, node: string): Promise<PersistentVolume | undefined> {
    const name = `pvc-${claim.metadata.uid}`;
    const existing = this.pvs.lister.get(name);
    if (existing) return existing;
    const dir = path.join(this.storageDir, `${name}_${claim.metadata.namespace}_${claim.metadata.name}`);
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { [PROVISIONED_BY]: LOCAL_PATH_PROVISIONER, 'local.path.provisioner/selected-node': node } },
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
    this.recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claim.metadata.namespace}/${claim.metadata.name}"`);
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
      volume = await this.pvClient.update(volumeBoundToClaim(pv, claim));
    }
    if (volume.status?.phase !== 'Bound') volume = await this.setPhase(volume, 'Bound');
    let current = claim;
    if (current.spec.volumeName !== volume.metadata.name) {
      current = await this.claimClient.update({
        ...current,
        metadata: { ...current.metadata, annotations: { ...(current.metadata.annotations ?? {}), [BIND_COMPLETED_ANNOTATION]: 'yes', [BOUND_BY_CONTROLLER_ANNOTATION]: 'yes' } },
        spec: { ...current.spec, volumeName: volume.metadata.name },
      });
    }
    if (current.status?.phase !== 'Bound') {
      await this.claimClient.updateStatus({ ...current, status: { ...current.status, phase: 'Bound', accessModes: volume.spec.accessModes, capacity: volume.spec.capacity } });
    }
  }

  private async syncVolume(name: string): Promise<void> {
    let pv = this.pvs.lister.get(name);
    if (!pv || pv.metadata.deletionTimestamp) return;
    const ref = pv.spec.claimRef;
    if (!ref) {
      if (pv.status?.phase !== 'Available') await this.setPhase(pv, 'Available');
      return;
    }
    if (!ref.uid || (await this.claimHolds(pv, ref))) return;
    const phase = pv.status?.phase;
    if (phase !== 'Released' && phase !== 'Failed') pv = await this.setPhase(pv, 'Released');
    if (phase === 'Failed') {
      // Kubernetes retries a failed reclaim on every resync, not on every event (a recycler pod's own).
      const wait = (this.failedAt.get(name) ?? 0) + RETRY_FAILED_MS - Date.now();
      if (wait > 0) return this.queue.addAfter(`volume:${name}`, wait);
    }
    await this.reclaim(pv);
  }

  /** isVolumeReleased, negated: the claim the volume names still exists and has not moved to another volume. */
  private async claimHolds(pv: PersistentVolume, ref: ClaimRef): Promise<boolean> {
    const holds = (c: PersistentVolumeClaim | undefined): boolean => !!c && c.metadata.uid === ref.uid && (!c.spec.volumeName || c.spec.volumeName === pv.metadata.name);
    if (holds(this.claims.lister.get(ref.name!, ref.namespace))) return true;
    // The claim may be newer than our cache: ask before releasing.
    const fresh = await this.claimClient.get(ref.name!, ref.namespace).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    return holds(fresh);
  }

  private async reclaim(pv: PersistentVolume): Promise<void> {
    switch (pv.spec.persistentVolumeReclaimPolicy ?? 'Retain') {
      case 'Retain':
        return;
      case 'Delete':
        return this.deleteVolume(pv);
      case 'Recycle':
        return this.recycle(pv);
      default:
        await this.setPhaseWithEvent(pv, 'Failed', 'Warning', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy');
    }
  }

  /** deleteVolumeOperation: the storage first (a local-path directory, a hostPath under /tmp), then the object. */
  private async deleteVolume(pv: PersistentVolume): Promise<void> {
    const dir = pv.spec.hostPath?.path;
    const localPath = pv.metadata.annotations?.[PROVISIONED_BY] === LOCAL_PATH_PROVISIONER && dir && path.dirname(dir) === this.storageDir;
    if (!localPath) {
      const failure = !dir
        ? `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`
        : !HOST_PATH_DELETABLE.test(dir)
          ? `host_path deleter only supports /tmp/.+ but received provided ${dir}`
          : undefined;
      if (failure) return this.setPhaseWithEvent(pv, 'Failed', 'Warning', 'VolumeFailedDelete', failure);
    }
    if (dir) await fs.rm(dir, { recursive: true, force: true });
    await this.pvClient.delete(pv.metadata.name!).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }

  /**
   * recycleVolumeOperation, level-triggered: start the recycler pod, and once it has finished pass its
   * events on, delete it, and make the volume Available (or Failed with the pod's message).
   */
  private async recycle(pv: PersistentVolume): Promise<void> {
    const template = recyclerPod(pv);
    if (!template) return this.setPhaseWithEvent(pv, 'Failed', 'Warning', 'VolumeFailedRecycle', NO_RECYCLER_MESSAGE);
    const ref = pv.spec.claimRef!;
    const users = this.pods.lister
      .listInNamespace(ref.namespace ?? '')
      .filter((p) => !isTerminated(p) && claimsOf(p).includes(ref.name!))
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
      .sort();
    if (users.length && !this.claims.lister.get(ref.name!, ref.namespace)) {
      this.recorder.event(pv, 'Normal', 'VolumeFailedRecycle', `Volume is used by pods: ${users.join(',')}`);
      return;
    }
    const podName = template.metadata.name!;
    const pod = this.pods.lister.get(podName, RECYCLER_NAMESPACE);
    if (!pod) {
      await this.podClient.create(template).catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
      return;
    }
    if (pod.metadata.deletionTimestamp) return;
    const phase = pod.status?.phase;
    // A pod older than this release is left from an earlier recycling of the volume.
    const stale = Date.parse(String(pod.metadata.creationTimestamp)) < Date.parse(pv.status?.lastPhaseTransitionTime ?? '');
    if (!stale && phase !== 'Succeeded' && phase !== 'Failed') return;
    if (!stale) await this.forwardRecyclerEvents(pv, pod);
    await this.podClient.delete(podName, { namespace: RECYCLER_NAMESPACE, preconditions: { uid: pod.metadata.uid } }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    if (stale) return;
    if (phase === 'Failed') {
      return this.setPhaseWithEvent(pv, 'Failed', 'Warning', 'VolumeFailedRecycle', `Recycle failed: ${pod.status?.message || 'pod failed, pod.Status.Message unknown'}`);
    }
    this.recorder.event(pv, 'Normal', 'VolumeRecycled', 'Volume recycled');
    await this.unbind(pv);
  }

  /** The recycler pod's own events, on the volume as "Recycler pod: …" (newRecyclerEventRecorder). */
  private async forwardRecyclerEvents(pv: PersistentVolume, pod: Pod): Promise<void> {
    const { items } = await this.eventClient.list({ namespace: RECYCLER_NAMESPACE, fieldSelector: `involvedObject.name=${pod.metadata.name},involvedObject.uid=${pod.metadata.uid}` });
    items.sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)));
    for (const e of items) this.recorder.event(pv, e.type, 'RecyclerPod', `Recycler pod: ${e.message}`);
  }

  /** unbindVolume: a binding the controller made is dropped; a user's pre-binding keeps its claim name. */
  private async unbind(pv: PersistentVolume): Promise<void> {
    const annotations = { ...(pv.metadata.annotations ?? {}) };
    let claimRef: ClaimRef | undefined = { ...pv.spec.claimRef, uid: undefined };
    if (annotations[BOUND_BY_CONTROLLER_ANNOTATION]) {
      delete annotations[BOUND_BY_CONTROLLER_ANNOTATION];
      claimRef = undefined;
    }
    const updated = await this.pvClient.update({ ...pv, metadata: { ...pv.metadata, annotations }, spec: { ...pv.spec, claimRef } });
    await this.setPhase(updated, 'Available');
  }

  /** updateVolumePhaseWithEvent: nothing when the volume is in that phase already. */
  private async setPhaseWithEvent(pv: PersistentVolume, phase: string, type: EventType, reason: string, message: string): Promise<void> {
    if (phase === 'Failed') this.failedAt.set(pv.metadata.name!, Date.now());
    if (pv.status?.phase === phase) return;
    await this.setPhase(pv, phase, message);
    this.recorder.event(pv, type, reason, message);
  }

  private async setPhase(pv: PersistentVolume, phase: string, message?: string): Promise<PersistentVolume> {
    try {
      return await this.pvClient.updateStatus({ ...pv, status: { ...pv.status, phase, message, lastPhaseTransitionTime: rfc3339(this.ctx.now()) } });
    } catch (err) {
      if (isNotFound(err)) return pv;
      throw err;
    }
  }
}
