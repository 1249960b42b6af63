// When a CronJob should have started last (cronjob controllerv2 utils.go mostRecentScheduleTime): the
// latest activation between the last schedule (or creation, or now - startingDeadlineSeconds) and
// now, with how many were missed; and the Job name for an activation.
import { nextActivation, type CronSchedule } from '../../api/index.js';
import type { CronJob } from './types.js';

/** Beyond this many missed activations the controller warns (TooManyMissedTimes). */
export const MISSED_WARNING = 100;
/** Safety bound on the walk through missed activations. */
const MAX_WALK = 100_000;

export interface RecentSchedule {
  /** The most recent activation at or before now that has not been handled, if any. */
  time?: Date;
  missed: number;
}

export function mostRecentScheduleTime(cj: CronJob, schedule: CronSchedule, now: Date): RecentSchedule {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? String(cj.metadata.creationTimestamp));
  if (cj.spec.startingDeadlineSeconds !== undefined) earliest = Math.max(earliest, now.getTime() - cj.spec.startingDeadlineSeconds * 1000);
  let t = nextActivation(schedule, new Date(earliest), cj.spec.timeZone);
  if (!t || t > now) return { missed: 0 };
  let missed = 1;
  for (let next = nextActivation(schedule, t, cj.spec.timeZone); next && next <= now && missed < MAX_WALK; next = nextActivation(schedule, next, cj.spec.timeZone)) {
    t = next;
    missed++;
  }
  return { time: t, missed };
}

export function nextScheduleTime(cj: CronJob, schedule: CronSchedule, now: Date): Date | undefined {
  return nextActivation(schedule, now, cj.spec.timeZone);
}

/** `<cronjob>-<minutes since the epoch>`: one Job name per activation, so a retry never runs it twice. */
export function jobNameFor(cj: CronJob, scheduled: Date): string {
  return `${cj.metadata.name}-${Math.floor(scheduled.getTime() / 60_000)}`;
}
