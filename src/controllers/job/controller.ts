// The Job controller (pkg/controller/job): runs pods from the template until `completions` succeed
// (or, without completions, until one succeeds and the rest finish), at most `parallelism` at a time,
// one pod per index for Indexed jobs; fails the Job on backoffLimit, activeDeadlineSeconds or a
// FailJob podFailurePolicy rule; suspends and resumes; deletes finished Jobs after ttlSecondsAfterFinished.
import { lookupResource, type ResourceInfo } from '../../api/index.js';
import {
  claimObjects,
  isNotFound,
  isPodActive,
  isPodReady,
  newControllerRef,
  objectKey,
  podFromTemplate,
  QueueController,
  refs,
  ResourceClient,
  rfc3339,
  UIDTrackingExpectations,
  workloadSelector,
  type EventRecorder,
  type Informer,
  type Pod,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { watchOwnedPods, podsToDelete, slowStartBatch, BURST_REPLICAS } from '../replicaset/index.js';
import { COMPLETION_INDEX, completionIndex, failureBackoffMs, finishedCondition, formatIndexes, matchFailurePolicy, parseIndexes, podFinishTime, restartsOf } from './policy.js';
import type { Job, JobCondition, JobStatus } from './types.js';

const COMPONENT = 'job-controller';

interface Failure {
  reason: string;
  message: string;
}

export class JobController extends QueueController implements Controller {
  private readonly expectations = new UIDTrackingExpectations();
  private readonly info: ResourceInfo;
  private readonly client: ResourceClient<Job>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  /** The Job a queue key names. */
  private readonly ownerOf: (key: string) => Job | undefined;

  constructor(private readonly ctx: ControllerContext) {
    super('job');
    this.info = lookupResource('batch', 'v1', 'jobs')!;
    this.client = new ResourceClient<Job>(ctx.rest, this.info);
    this.podClient = new ResourceClient<Pod>(ctx.rest, refs.pods);
    this.recorder = this.eventRecorder(ctx.rest, COMPONENT);
    this.jobs = ctx.informers.informer<Job>(this.info);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.ownerOf = watchOwnedPods<Job>({
      kind: 'Job',
      owners: this.jobs,
      pods: this.pods,
      selector: workloadSelector,
      queue: this.queue,
      expectations: this.expectations,
    });
  }

  async sync(key: string): Promise<void> {
    const job = this.ownerOf(key);
    if (!job) return;
    const now = this.ctx.now();
    if (finishedCondition(job)) return this.expireFinished(key, job, now);
    const selector = workloadSelector(job);
    if (!selector) return;
    const needsSync = this.expectations.satisfied(key);
    const pods = await claimObjects(this.pods.lister.listInNamespace(job.metadata.namespace ?? ''), {
      owner: job,
      selector,
      client: this.podClient,
      canAdopt: async () => {
        const fresh = await this.client.get(job.metadata.name!, job.metadata.namespace);
        if (fresh.metadata.uid !== job.metadata.uid) throw new Error(`original Job ${key} is gone: got uid ${fresh.metadata.uid}, wanted ${job.metadata.uid}`);
      },
    });
    const active = pods.filter(isPodActive);
    const terminating = pods.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const indexed = job.spec.completionMode === 'Indexed';
    const completions = job.spec.completions ?? undefined;

    let failure: Failure | undefined;
    let failedPods = 0;
    let lastFailure = 0;
    for (const pod of pods.filter((p) => p.status?.phase === 'Failed')) {
      const match = matchFailurePolicy(job, pod);
      if (match?.rule.action === 'Ignore') continue;
      if (match?.rule.action === 'FailJob') failure ??= { reason: 'PodFailurePolicy', message: match.message };
      failedPods++;
      lastFailure = Math.max(lastFailure, podFinishTime(pod));
    }
    const failed = Math.max(job.status?.failed ?? 0, failedPods);
    const succeededIndexes = indexed ? parseIndexes(job.status?.completedIndexes) : new Set<number>();
    let succeededPods = 0;
    for (const pod of pods.filter((p) => p.status?.phase === 'Succeeded')) {
      succeededPods++;
      const i = completionIndex(pod);
      if (indexed && i !== undefined && i < (completions ?? 0)) succeededIndexes.add(i);
    }
    const succeeded = indexed ? succeededIndexes.size : Math.max(job.status?.succeeded ?? 0, succeededPods);
    const suspended = job.spec.suspend === true;
    const startTime = job.status?.startTime ?? (suspended ? undefined : rfc3339(now));

    const backoffLimit = job.spec.backoffLimit ?? 6;
    if (!failure) {
      const restarts = job.spec.template.spec?.restartPolicy === 'OnFailure' ? restartsOf(active) : 0;
      if (failed > backoffLimit || (restarts > 0 && restarts >= backoffLimit)) failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
      else if (job.spec.activeDeadlineSeconds !== undefined && startTime && Date.parse(startTime) + job.spec.activeDeadlineSeconds * 1000 <= now.getTime()) {
        failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
      }
    }

    const status: JobStatus = { ...(job.status ?? {}), conditions: [...(job.status?.conditions ?? [])] };
    let activeCount = active.length;
    let finishedNow: 'Complete' | 'Failed' | undefined;
    if (failure) {
      activeCount -= await this.deletePods(key, job, active, active.length);
      setCondition(status, 'FailureTarget', 'True', failure.reason, failure.message, now);
      setCondition(status, 'Failed', 'True', failure.reason, failure.message, now);
      this.recorder.event(job, 'Warning', failure.reason, failure.message);
      finishedNow = 'Failed';
    } else if (suspended) {
      activeCount -= await this.deletePods(key, job, active, active.length);
      if (setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
    } else {
      const wasSuspended = status.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True');
      if (wasSuspended) {
        setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
        this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      }
      const complete = completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0;
      if (complete) {
        activeCount -= await this.deletePods(key, job, active, active.length);
        setCondition(status, 'SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
        setCondition(status, 'Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
        status.completionTime = rfc3339(now);
        this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
        finishedNow = 'Complete';
      } else if (needsSync) {
        const waitMs = failed > 0 ? lastFailure + failureBackoffMs(failed) - now.getTime() : 0;
        const counted = job.spec.podReplacementPolicy === 'Failed' ? [...active, ...terminating] : active;
        activeCount += indexed
          ? await this.manageIndexed(key, job, counted, succeededIndexes, waitMs)
          : await this.manage(key, job, counted, succeeded, waitMs);
        if (waitMs > 0) this.queue.addAfter(key, waitMs);
      }
    }

    status.active = activeCount;
    status.ready = active.filter(isPodReady).length;
    status.succeeded = succeeded;
    status.failed = failed + (failure ? active.length : 0);
    status.terminating = terminating.length;
    if (startTime && !suspended) status.startTime = startTime;
    if (suspended) delete status.startTime;
    if (indexed) status.completedIndexes = formatIndexes(succeededIndexes);
    status.uncountedTerminatedPods ??= {};
    if (!status.conditions?.length) delete status.conditions;
    if (JSON.stringify(status) !== JSON.stringify(job.status ?? {})) await this.client.updateStatus({ ...job, status });
    if (finishedNow === undefined && job.spec.activeDeadlineSeconds !== undefined && startTime && !suspended) {
      this.queue.addAfter(key, Math.max(0, Date.parse(startTime) + job.spec.activeDeadlineSeconds * 1000 - now.getTime()) + 10);
    }
  }

  /** NonIndexed: keep min(parallelism, completions - succeeded) pods (work queues: parallelism until one succeeds). */
  private async manage(key: string, job: Job, active: Pod[], succeeded: number, waitMs: number): Promise<number> {
    const parallelism = job.spec.parallelism ?? 1;
    const completions = job.spec.completions ?? undefined;
    let want = completions === undefined ? (succeeded > 0 ? active.length : parallelism) : Math.max(0, Math.min(completions - succeeded, parallelism));
    want = Math.max(0, want);
    if (active.length > want) return -(await this.deletePods(key, job, active, active.length - want));
    if (active.length < want && waitMs <= 0) return this.createPods(key, job, Array.from({ length: want - active.length }, () => undefined));
    return 0;
  }

  /** Indexed: one active pod per pending index, lowest first; duplicates and out-of-range indexes go. */
  private async manageIndexed(key: string, job: Job, active: Pod[], done: Set<number>, waitMs: number): Promise<number> {
    const completions = job.spec.completions ?? 0;
    const parallelism = job.spec.parallelism ?? 1;
    const seen = new Set<number>();
    const extra: Pod[] = [];
    for (const pod of active) {
      const i = completionIndex(pod);
      if (i === undefined || i >= completions || seen.has(i) || done.has(i)) extra.push(pod);
      else seen.add(i);
    }
    let change = 0;
    if (extra.length) change -= await this.deletePods(key, job, extra, extra.length);
    const want = Math.min(parallelism, completions - done.size) - seen.size;
    if (want <= 0 || waitMs > 0) return change;
    const pending: number[] = [];
    for (let i = 0; i < completions && pending.length < want; i++) if (!done.has(i) && !seen.has(i)) pending.push(i);
    return change + (await this.createPods(key, job, pending));
  }

  private async createPods(key: string, job: Job, indexes: Array<number | undefined>): Promise<number> {
    const todo = indexes.slice(0, BURST_REPLICAS);
    this.expectations.expectCreations(key, todo.length);
    const ref = newControllerRef(job);
    let next = 0;
    const { successes, error } = await slowStartBatch(todo.length, async () => {
      const index = todo[next++];
      const pod = podFromTemplate(job.spec.template, String(job.metadata.namespace), index === undefined ? `${job.metadata.name}-` : `${job.metadata.name}-${index}-`, ref);
      if (index !== undefined) addIndex(pod, String(job.metadata.name), index);
      try {
        const created = await this.podClient.create(pod);
        this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    for (let i = successes; i < todo.length; i++) this.expectations.creationObserved(key);
    if (error) throw error;
    return successes;
  }

  /** Deletes `count` of the pods (least useful first); returns how many went. */
  private async deletePods(key: string, job: Job, pods: Pod[], count: number): Promise<number> {
    if (count <= 0) return 0;
    const victims = podsToDelete(pods, pods, count, this.ctx.now());
    this.expectations.expectPodDeletions(key, victims.map(objectKey));
    let deleted = 0;
    const errors: Error[] = [];
    await Promise.all(
      victims.map(async (pod) => {
        try {
          await this.podClient.delete(String(pod.metadata.name), { namespace: pod.metadata.namespace });
          this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          deleted++;
        } catch (err) {
          this.expectations.podDeletionObserved(key, objectKey(pod));
          if (isNotFound(err)) deleted++;
          else errors.push(err as Error);
        }
      }),
    );
    if (errors.length) throw errors[0];
    return deleted;
  }

  /** ttlSecondsAfterFinished (the ttl-after-finished controller's job): delete the Job once it expires. */
  private async expireFinished(key: string, job: Job, now: Date): Promise<void> {
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (ttl === undefined) return;
    const finished = job.status?.completionTime ?? finishedCondition(job)?.lastTransitionTime;
    if (!finished) return;
    const left = Date.parse(finished) + ttl * 1000 - now.getTime();
    if (left > 0) {
      this.queue.addAfter(key, left);
      return;
    }
    try {
      await this.client.delete(String(job.metadata.name), { namespace: job.metadata.namespace, propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The Indexed job's index on the pod: annotation, label, hostname and JOB_COMPLETION_INDEX. */
function addIndex(pod: Pod, jobName: string, index: number): void {
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETION_INDEX]: String(index) };
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [COMPLETION_INDEX]: String(index) };
  const spec = pod.spec as { hostname?: string; containers?: Array<{ env?: unknown[] }>; initContainers?: Array<{ env?: unknown[] }> };
  spec.hostname ??= `${jobName}-${index}`;
  const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX}']` } } };
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) c.env = [...(c.env ?? []), env];
}

/** Sets a condition; true when it changed (a new status or reason). */
function setCondition(status: JobStatus, type: string, value: JobCondition['status'], reason: string, message: string, now: Date): boolean {
  const current = status.conditions?.find((c) => c.type === type);
  if (current && current.status === value && current.reason === reason) return false;
  const t = rfc3339(now);
  const next: JobCondition = { type, status: value, lastProbeTime: t, lastTransitionTime: current?.status === value ? current.lastTransitionTime : t, reason, message };
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== type), next];
  return true;
}

