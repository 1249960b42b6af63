// The CronJob controller (pkg/controller/cronjob, controllerv2): creates a Job from the template at
// each activation of the schedule (in spec.timeZone), honouring suspend, startingDeadlineSeconds and
// concurrencyPolicy (Allow / Forbid / Replace), tracks active Jobs, records lastScheduleTime and
// lastSuccessfulTime, and deletes finished Jobs beyond the history limits. Its clock is the
// context's, so tests drive schedules without waiting.
import { isKnownTimeZone, lookupResource, parseCron, type CronSchedule, type ResourceInfo } from '../../api/index.js';
import {
  controllerRefOf,
  isAlreadyExists,
  isNotFound,
  newControllerRef,
  objectKey,
  QueueController,
  ResourceClient,
  rfc3339,
  splitKey,
  type EventRecorder,
  type Informer,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { jobNameFor, MISSED_WARNING, mostRecentScheduleTime, nextScheduleTime } from './schedule.js';
import type { CronJob, Job, JobReference } from './types.js';

const COMPONENT = 'cronjob-controller';
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

function finished(job: Job): 'Complete' | 'Failed' | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

/** time.RFC1123Z, as the MissSchedule event prints the missed time. */
function rfc1123z(t: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[t.getUTCDay()]}, ${p(t.getUTCDate())} ${months[t.getUTCMonth()]} ${t.getUTCFullYear()} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())} +0000`;
}

export class CronJobController extends QueueController implements Controller {
  private readonly info: ResourceInfo;
  private readonly client: ResourceClient<CronJob>;
  private readonly jobClient: ResourceClient<Job>;
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly recorder: EventRecorder;
  /**
   * The status each CronJob was last written with, and the resourceVersion it was written over: until the
   * informer delivers our write, its copy still lacks the Job just created, and a sync on it (the clock
   * moved meanwhile) would start a second one under Forbid.
   */
  private readonly written = new Map<string, { over: string | undefined; cronJob: CronJob }>();

  constructor(private readonly ctx: ControllerContext) {
    super('cronjob');
    this.info = lookupResource('batch', 'v1', 'cronjobs')!;
    const jobInfo = lookupResource('batch', 'v1', 'jobs')!;
    this.client = new ResourceClient<CronJob>(ctx.rest, this.info);
    this.jobClient = new ResourceClient<Job>(ctx.rest, jobInfo);
    this.recorder = this.eventRecorder(ctx.rest, COMPONENT);
    this.cronJobs = ctx.informers.informer<CronJob>(this.info);
    this.jobs = ctx.informers.informer<Job>(jobInfo);
    this.enqueueOn(this.cronJobs, objectKey);
    this.enqueueOn(this.jobs, (job) => {
      const ref = controllerRefOf(job);
      return ref?.kind === 'CronJob' ? `${job.metadata.namespace}/${ref.name}` : undefined;
    });
  }

  /** Looks at every CronJob again (after the clock moved: tests, or a periodic resync). */
  resync(): void {
    this.enqueueAll(this.cronJobs, objectKey);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.cronJobs.lister.get(name, namespace);
    if (!cached) {
      this.written.delete(key);
      return;
    }
    const mine = this.written.get(key);
    const cj = structuredClone(mine && mine.over === cached.metadata.resourceVersion ? mine.cronJob : cached);
    const now = this.ctx.now();
    const jobs = this.jobs.lister.listInNamespace(namespace ?? '').filter((j) => controllerRefOf(j)?.uid === cj.metadata.uid);
    const before = JSON.stringify(cj.status ?? {});
    const requeueAfter = await this.syncCronJob(cj, jobs, now);
    await this.cleanupFinishedJobs(cj, jobs);
    if (JSON.stringify(cj.status ?? {}) !== before) {
      const over = cj.metadata.resourceVersion;
      this.written.set(key, { over, cronJob: await this.client.updateStatus(cj) });
    }
    if (requeueAfter !== undefined) this.queue.addAfter(key, Math.max(0, requeueAfter) + 100);
  }

  /** Returns when to look again (ms), or undefined for never (until something changes). */
  private async syncCronJob(cj: CronJob, jobs: Job[], now: Date): Promise<number | undefined> {
    const status = (cj.status ??= {});
    const active = new Map((status.active ?? []).map((r) => [r.uid ?? r.name, r]));
    for (const job of jobs) {
      const uid = String(job.metadata.uid);
      const state = finished(job);
      if (!state && !active.has(uid)) {
        // Our cache may predate our own status write: only the stored CronJob can tell.
        const fresh = await this.client.get(String(cj.metadata.name), cj.metadata.namespace);
        if (!(fresh.status?.active ?? []).some((r) => r.uid === uid)) {
          this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name}`);
        }
      } else if (state && active.has(uid)) {
        active.delete(uid);
        this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${state}`);
      }
      if (state === 'Complete' && job.status?.completionTime && (!status.lastSuccessfulTime || job.status.completionTime > status.lastSuccessfulTime)) {
        status.lastSuccessfulTime = job.status.completionTime;
      }
    }
    // Active references to Jobs that are gone (deleted by someone else) are dropped.
    const present = new Set(jobs.map((j) => String(j.metadata.uid)));
    for (const [uid, ref] of active) {
      if (present.has(uid)) continue;
      try {
        const job = await this.jobClient.get(ref.name, ref.namespace);
        if (job.metadata.uid === ref.uid) continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      active.delete(uid);
    }
    setActive(status, [...active.values()]);

    if (cj.metadata.deletionTimestamp) return undefined;
    if (cj.spec.timeZone && !isKnownTimeZone(cj.spec.timeZone)) {
      this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${cj.spec.timeZone}": unknown time zone ${cj.spec.timeZone}`);
      return undefined;
    }
    if (cj.spec.suspend) return undefined;
    let schedule: CronSchedule;
    try {
      schedule = parseCron(cj.spec.schedule);
    } catch (err) {
      this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec.schedule}" : ${(err as Error).message}`);
      return undefined;
    }
    const untilNext = (): number | undefined => {
      const next = nextScheduleTime(cj, schedule, now);
      return next ? next.getTime() - now.getTime() : undefined;
    };
    const recent = mostRecentScheduleTime(cj, schedule, now);
    if (recent.missed > MISSED_WARNING) {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    const scheduled = recent.time;
    if (!scheduled) return untilNext();
    if (cj.spec.startingDeadlineSeconds !== undefined && scheduled.getTime() + cj.spec.startingDeadlineSeconds * 1000 < now.getTime()) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return untilNext();
    }
    const jobName = jobNameFor(cj, scheduled);
    if ((status.active ?? []).some((r) => r.name === jobName) || status.lastScheduleTime === rfc3339(scheduled)) return untilNext();
    if (cj.spec.concurrencyPolicy === 'Forbid' && (status.active ?? []).length > 0) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return untilNext();
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...(status.active ?? [])]) {
        await this.deleteJob(cj, ref.name);
        setActive(status, (status.active ?? []).filter((r) => r !== ref));
      }
    }
    const job = await this.createJob(cj, jobName, scheduled);
    if (!job) return untilNext();
    setActive(status, [...(status.active ?? []).filter((r) => r.uid !== job.metadata.uid), jobRef(job)]);
    status.lastScheduleTime = rfc3339(scheduled);
    return untilNext();
  }

  private async createJob(cj: CronJob, name: string, scheduled: Date): Promise<Job | undefined> {
    const t = cj.spec.jobTemplate;
    const job: Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        labels: { ...(t.metadata?.labels ?? {}) },
        annotations: { ...(t.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: rfc3339(scheduled) },
        ownerReferences: [newControllerRef(cj)],
      },
      spec: structuredClone(t.spec),
    };
    try {
      const created = await this.jobClient.create(job);
      this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      // Created by an earlier sync whose status write was lost: ours if we control it.
      const existing = await this.jobClient.get(name, cj.metadata.namespace);
      return controllerRefOf(existing)?.uid === cj.metadata.uid ? existing : undefined;
    }
  }

  private async deleteJob(cj: CronJob, name: string): Promise<void> {
    try {
      await this.jobClient.delete(name, { namespace: cj.metadata.namespace, propagationPolicy: 'Background' });
      this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
    } catch (err) {
      if (!isNotFound(err)) {
        this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        throw err;
      }
    }
  }

  /** Keeps only the newest successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<void> {
    const byStart = (a: Job, b: Job): number => String(a.status?.startTime ?? a.metadata.creationTimestamp).localeCompare(String(b.status?.startTime ?? b.metadata.creationTimestamp));
    for (const [state, limit] of [
      ['Complete', cj.spec.successfulJobsHistoryLimit],
      ['Failed', cj.spec.failedJobsHistoryLimit],
    ] as const) {
      if (limit === undefined) continue;
      const done = jobs.filter((j) => finished(j) === state && !j.metadata.deletionTimestamp).sort(byStart);
      for (const job of done.slice(0, Math.max(0, done.length - limit))) await this.deleteJob(cj, String(job.metadata.name));
    }
  }
}

function jobRef(job: Job): JobReference {
  return { kind: 'Job', namespace: job.metadata.namespace, name: String(job.metadata.name), uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion };
}

function setActive(status: NonNullable<CronJob['status']>, refs: JobReference[]): void {
  if (refs.length) status.active = refs;
  else delete status.active;
}
