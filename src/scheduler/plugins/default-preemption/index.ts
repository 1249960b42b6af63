// DefaultPreemption: when no node fits, find nodes where evicting lower-priority pods would make the
// pod fit, keep as many of those pods as possible (reprieve, most important first), pick the node with
// the least important and fewest victims, delete them and nominate the node for the pod.
import { ResourceClient, refs, logError } from '../../../client/index.js';
import { OverlaySnapshot } from '../../cache.js';
import { Code, fitErrorMessage, Status, unresolvable, unschedulable, type Handle, type Plugin, type Snapshot } from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../node-info.js';
import type { Pod } from '../../types.js';

export const NAME = 'DefaultPreemption';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

export interface Candidate {
  node: string;
  victims: PodInfo[];
}

/** The fewest, least important pods on `node` whose removal lets `pod` fit, or why there are none. */
export function selectVictims(handle: Handle, pod: PodInfo, node: NodeInfo, snapshot: Snapshot): { victims?: PodInfo[]; status?: Status } {
  const fw = handle.framework();
  const clone = node.clone();
  const lower = [...clone.pods.values()].filter((p) => p.priority < pod.priority);
  if (!lower.length) return { status: unresolvable(NO_VICTIMS) };
  for (const p of lower) clone.removePod(p.key);
  const overlay = new OverlaySnapshot(snapshot, clone);
  const status = fw.evaluate(pod, overlay, clone);
  if (status) return { status };
  // Most important first, so the ones kept are the ones that matter most.
  lower.sort((a, b) => b.priority - a.priority || startTime(a) - startTime(b));
  const victims: PodInfo[] = [];
  for (const p of lower) {
    clone.addPod(p);
    if (fw.evaluate(pod, overlay, clone)) {
      clone.removePod(p.key);
      victims.push(p);
    }
  }
  return { victims };
}

function startTime(p: PodInfo): number {
  return Date.parse(p.pod.status?.startTime ?? p.pod.metadata.creationTimestamp ?? '') || 0;
}

/** kube's pickOneNodeForPreemption without PDBs: lowest top victim priority, lowest sum, fewest, latest start. */
export function pickCandidate(candidates: Candidate[]): Candidate {
  const key = (c: Candidate): number[] => {
    const top = Math.max(...c.victims.map((v) => v.priority));
    const sum = c.victims.reduce((a, v) => a + v.priority + 2 ** 31, 0);
    const topStart = Math.min(...c.victims.filter((v) => v.priority === top).map(startTime));
    return [top, sum, c.victims.length, -topStart];
  };
  let best = candidates[0];
  let bestKey = key(best);
  for (const c of candidates.slice(1)) {
    const k = key(c);
    for (let i = 0; i < k.length; i++) {
      if (k[i] === bestKey[i]) continue;
      if (k[i] < bestKey[i]) {
        best = c;
        bestKey = k;
      }
      break;
    }
  }
  return best;
}

export function defaultPreemption(_args: Record<string, unknown>, handle: Handle): Plugin {
  const pods = new ResourceClient<Pod>(handle.rest, refs.pods);
  return {
    name: NAME,
    postFilter: async (_state, pod, snapshot, statuses) => {
      const spec = pod.pod.spec;
      if (spec.preemptionPolicy === 'Never') return { status: unschedulable('preemption: not eligible due to preemptionPolicy=Never.') };
      const nominated = pod.pod.status?.nominatedNodeName;
      const nominatedNode = nominated ? snapshot.get(nominated) : undefined;
      if (nominatedNode && statuses.get(nominatedNode.name)?.code !== Code.UnschedulableAndUnresolvable) {
        const terminating = [...nominatedNode.pods.values()].some((p) => p.pod.metadata.deletionTimestamp && p.priority < pod.priority);
        if (terminating) return { status: unschedulable('preemption: not eligible due to a terminating pod on the nominated node.') };
      }
      const dryRun = new Map<string, Status>();
      const candidates: Candidate[] = [];
      for (const node of snapshot.nodes) {
        if (statuses.get(node.name)?.code !== Code.Unschedulable) continue;
        const result = selectVictims(handle, pod, node, snapshot);
        if (result.victims) candidates.push({ node: node.name, victims: result.victims });
        else dryRun.set(node.name, result.status!);
      }
      if (!candidates.length) {
        const msg = fitErrorMessage(snapshot.nodes.length, '', dryRun, '', unresolvable(NOT_HELPFUL));
        return { status: unschedulable(`preemption: ${msg}`), nominatedNodeName: '' };
      }
      const best = pickCandidate(candidates);
      await Promise.all(
        best.victims.map(async (v) => {
          try {
            await pods.delete(String(v.pod.metadata.name), { namespace: v.pod.metadata.namespace });
            handle.recorder.event(v.pod, 'Normal', 'Preempted', `Preempted by pod ${pod.pod.metadata.uid} on node ${best.node}`);
          } catch (err) {
            logError('scheduler', `could not preempt ${v.key}`, err);
          }
        }),
      );
      return { status: new Status(Code.Success), nominatedNodeName: best.node };
    },
  };
}
