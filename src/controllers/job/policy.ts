// The pure decisions of the Job controller: how pods count (podFailurePolicy), completed indexes as
// the compressed "0-2,4" text of status.completedIndexes, the exponential backoff before replacing
// failed pods, and when a Job is finished.
import type { Pod } from '../../client/index.js';
import type { Job, JobCondition, PodFailurePolicyRule } from './types.js';

export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
/** DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff of the job controller. */
export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_MAX_MS = 360_000;

export function finishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

export function completionIndex(pod: Pod): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX] ?? pod.metadata.labels?.[COMPLETION_INDEX];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** 0,1,2,4,5 → "0-2,4-5" (sorted, deduplicated). */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function parseIndexes(text: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) out.add(i);
  }
  return out;
}

interface Terminated {
  name: string;
  exitCode: number;
}

function terminatedContainers(pod: Pod): Terminated[] {
  const out: Terminated[] = [];
  for (const s of pod.status?.containerStatuses ?? []) {
    const t = s.state?.terminated as { exitCode?: number } | undefined;
    if (t && typeof t.exitCode === 'number') out.push({ name: s.name, exitCode: t.exitCode });
  }
  return out;
}

/** The rule a failed pod matches, and the message Kubernetes gives for a FailJob match. */
export function matchFailurePolicy(job: Job, pod: Pod): { rule: PodFailurePolicyRule; message: string } | undefined {
  const rules = job.spec.podFailurePolicy?.rules ?? [];
  const podName = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [i, rule] of rules.entries()) {
    if (rule.onExitCodes) {
      const r = rule.onExitCodes;
      const hit = terminatedContainers(pod).find(
        (c) => c.exitCode !== 0 && (!r.containerName || r.containerName === c.name) && (r.operator === 'In' ? r.values.includes(c.exitCode) : !r.values.includes(c.exitCode)),
      );
      if (hit) return { rule, message: `Container ${hit.name} for pod ${podName} failed with exit code ${hit.exitCode} matching ${rule.action} rule at index ${i}` };
    }
    for (const pc of rule.onPodConditions ?? []) {
      if (pod.status?.conditions?.some((c) => c.type === pc.type && c.status === (pc.status ?? 'True'))) {
        return { rule, message: `Pod ${podName} has condition ${pc.type} matching ${rule.action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}

/** Restarts of an OnFailure job's running pods count as failures towards backoffLimit. */
export function restartsOf(pods: Pod[]): number {
  let n = 0;
  for (const p of pods) for (const s of p.status?.containerStatuses ?? []) n += s.restartCount ?? 0;
  return n;
}

/** How long to wait after the latest failure before creating replacements: 10 s doubling, at most 6 min. */
export function failureBackoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
}

export function podFinishTime(pod: Pod): number {
  let latest = 0;
  for (const s of pod.status?.containerStatuses ?? []) {
    const t = (s.state?.terminated as { finishedAt?: string } | undefined)?.finishedAt;
    if (t) latest = Math.max(latest, Date.parse(t));
  }
  return latest || Date.parse(String(pod.metadata.creationTimestamp ?? 0)) || 0;
}
