// VolumeBinding (pkg/scheduler/framework/plugins/volumebinding): every PVC the pod uses must exist.
// Bound claims pin the pod to the nodes their volumes' node affinity allows. Unbound claims of an
// Immediate class make the pod wait for the PV controller. Unbound claims of a WaitForFirstConsumer
// class are decided here, per node: an Available volume that fits the claim and the node is bound
// statically, otherwise the class's provisioner must be able to provision there (allowedTopologies).
// PreBind carries the decision out for the chosen node — the volume's claimRef for a static binding,
// the claim's selected-node annotation for provisioning — and waits until the PV controller has bound
// every claim before the pod is bound.
import {
  bestMatch,
  BIND_COMPLETED_ANNOTATION,
  claimClass,
  refs,
  ResourceClient,
  SELECTED_NODE_ANNOTATION,
  sleep,
  volumeBoundToClaim,
} from '../../../client/index.js';
import { errorStatus, SKIP, unresolvable, type CycleState, type Handle, type Plugin } from '../../framework.js';
import type { NodeInfo } from '../../node-info.js';
import { nodeSelectorMatches } from '../../node-selector.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../types.js';

export const NAME = 'VolumeBinding';
export const ERR_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
/** A storage class whose volumes are only made by hand (volume.NotSupportedProvisioner). */
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
/** VolumeBindingArgs.bindTimeoutSeconds default. */
const DEFAULT_BIND_TIMEOUT_SECONDS = 600;
/** How often PreBind looks whether the claims are bound (kube polls its caches every second). */
const POLL_MS = 1000;

const STATE_KEY = 'VolumeBinding/state';

/** For each delayed claim on one node: the volume it binds to, or none when it is provisioned there. */
type Plan = Array<{ claim: PersistentVolumeClaim; volume?: PersistentVolume }>;

interface PodVolumes {
  /** Volumes of the pod's bound claims. */
  bound: PersistentVolume[];
  /** Unbound WaitForFirstConsumer claims this plugin decides about, with their classes. */
  delayed: PersistentVolumeClaim[];
  classes: Map<string, StorageClass>;
  /** Every volume, for static binding (only read when there are delayed claims). */
  pvs: PersistentVolume[];
  /** The plan of every node that passed Filter. */
  plans: Map<string, Plan>;
}

/** v1helper.MatchTopologySelectorTerms: no terms match every node. */
function topologyAllows(cls: StorageClass, node: Node): boolean {
  const terms = cls.allowedTopologies ?? [];
  if (!terms.length) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => e.values.includes(labels[e.key])));
}

const fitsNode = (node: Node) => (pv: PersistentVolume) => !pv.spec.nodeAffinity?.required || nodeSelectorMatches(pv.spec.nodeAffinity.required, node);

export function volumeBinding(args: { bindTimeoutSeconds?: number }, handle: Handle): Plugin {
  const bindTimeoutMs = (args.bindTimeoutSeconds ?? DEFAULT_BIND_TIMEOUT_SECONDS) * 1000;
  const pvClient = new ResourceClient<PersistentVolume>(handle.rest, refs.persistentVolumes);
  const claimClient = new ResourceClient<PersistentVolumeClaim>(handle.rest, refs.persistentVolumeClaims);

  /** The node's plan for the delayed claims, or undefined when it cannot have them. */
  const decide = (state: PodVolumes, node: Node): Plan | undefined => {
    const taken = new Set<string>();
    const plan: Plan = [];
    for (const claim of state.delayed) {
      const selected = claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
      // A claim already being provisioned for one node is only usable there.
      if (selected && selected !== node.metadata.name) return undefined;
      const volume = selected ? undefined : bestMatch(state.pvs.filter((pv) => !taken.has(pv.metadata.name!)), claim, { delayBinding: true, fitsNode: fitsNode(node) });
      if (volume) {
        taken.add(volume.metadata.name!);
        plan.push({ claim, volume });
        continue;
      }
      const cls = state.classes.get(claimClass(claim));
      if (!cls?.provisioner || cls.provisioner === NO_PROVISIONER || !topologyAllows(cls, node)) return undefined;
      plan.push({ claim });
    }
    return plan;
  };

  /** checkBindings: true once every claim is bound; throws when a provisioning was given up. */
  const allBound = async (claims: PersistentVolumeClaim[], provisioned: Set<string>): Promise<boolean> => {
    for (const c of claims) {
      const fresh = await claimClient.get(c.metadata.name!, c.metadata.namespace);
      if (provisioned.has(c.metadata.name!) && !fresh.metadata.annotations?.[SELECTED_NODE_ANNOTATION]) throw new Error(`provisioning failed for PVC "${c.metadata.name}"`);
      if (!fresh.spec.volumeName || !fresh.metadata.annotations?.[BIND_COMPLETED_ANNOTATION]) return false;
    }
    return true;
  };

  return {
    name: NAME,
    preFilter: (state, pod, snapshot) => {
      const claims = (pod.pod.spec.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => v.persistentVolumeClaim!.claimName);
      if (!claims.length) return SKIP;
      const ns = pod.pod.metadata.namespace ?? 'default';
      const podVolumes: PodVolumes = { bound: [], delayed: [], classes: new Map(), pvs: [], plans: new Map() };
      for (const name of claims) {
        const pvc = snapshot.pvc(ns, name);
        if (!pvc) return unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (pvc.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        const volumeName = pvc.spec.volumeName;
        if (volumeName) {
          const pv = snapshot.pv(volumeName);
          if (!pv) return unresolvable('node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)');
          podVolumes.bound.push(pv);
          continue;
        }
        const cls = snapshot.storageClass(claimClass(pvc));
        // A claim whose class is unknown binds immediately, as IsDelayBindingMode says.
        if (cls?.volumeBindingMode !== 'WaitForFirstConsumer') return unresolvable('pod has unbound immediate PersistentVolumeClaims');
        podVolumes.classes.set(claimClass(pvc), cls);
        podVolumes.delayed.push(pvc);
      }
      if (podVolumes.delayed.length) podVolumes.pvs = snapshot.pvs();
      state.write(STATE_KEY, podVolumes);
      return undefined;
    },
    filter: (state, _pod, node: NodeInfo) => {
      const podVolumes = state.read<PodVolumes>(STATE_KEY);
      if (!podVolumes) return undefined;
      for (const pv of podVolumes.bound) if (!fitsNode(node.node)(pv)) return unresolvable(ERR_NODE_CONFLICT);
      if (!podVolumes.delayed.length) return undefined;
      const plan = decide(podVolumes, node.node);
      if (!plan) return unresolvable(ERR_BIND_CONFLICT);
      podVolumes.plans.set(String(node.node.metadata.name), plan);
      return undefined;
    },
    preBind: async (state: CycleState, _pod, nodeName) => {
      const podVolumes = state.read<PodVolumes>(STATE_KEY);
      const plan = podVolumes?.plans.get(nodeName);
      if (!plan?.length) return undefined;
      const provisioned = new Set<string>();
      try {
        for (const { claim, volume } of plan) {
          if (volume) {
            await pvClient.update(volumeBoundToClaim(volume, claim));
          } else {
            provisioned.add(claim.metadata.name!);
            if (claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION] !== nodeName) {
              await claimClient.update({ ...claim, metadata: { ...claim.metadata, annotations: { ...(claim.metadata.annotations ?? {}), [SELECTED_NODE_ANNOTATION]: nodeName } } });
            }
          }
        }
        const deadline = Date.now() + bindTimeoutMs;
        while (!(await allBound(plan.map((p) => p.claim), provisioned))) {
          if (Date.now() > deadline) return errorStatus('binding volumes: context deadline exceeded');
          await sleep(POLL_MS);
        }
        return undefined;
      } catch (err) {
        // E.g. a claim or volume changed since the snapshot (409): the next attempt decides again.
        return errorStatus(`binding volumes: ${(err as Error).message}`);
      }
    },
  };
}
