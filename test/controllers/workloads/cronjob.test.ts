// CronJobs on a driven clock: the controllers' clock is the test's, moved forward a minute at a time,
// so schedules fire without waiting. Real kubectl 1.33 creates the objects and reads the results.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../lib/index.js';
import { eventually, startTestCluster, type TestCluster } from './cluster.js';

let offsetMs = 0;
const clock = (): Date => new Date(Date.now() + offsetMs);
let c: TestCluster;

before(async () => {
  c = await startTestCluster({ nodes: 2, now: clock });
});
after(async () => {
  await c?.stop();
});

/** Moves the controllers' clock forward and lets them look again. */
function advance(ms: number): void {
  offsetMs += ms;
  c.controllers.resync();
}

interface JobList {
  items: Array<{ metadata: { name: string; annotations?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> } }>;
}

async function jobsOf(cronjob: string): Promise<JobList['items']> {
  const list = JSON.parse(await c.k('get', 'jobs', '-o', 'json')) as JobList;
  return list.items.filter((j) => j.metadata.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === cronjob));
}

test('the seed CronJob fires at its next quarter hour with the job named by the minute', async () => {
  const seed = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/seeds/kube-cronjob.yaml'), 'utf8');
  assert.match(await c.kIn(seed, 'create', '-f', '-'), /cronjob.batch\/batch-job-every-fifteen-minutes created/);
  advance(16 * 60_000);
  const jobs = await eventually('a job', async () => {
    const j = await jobsOf('batch-job-every-fifteen-minutes');
    return j.length > 0 && j;
  });
  assert.equal(jobs.length, 1);
  const scheduled = jobs[0].metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'];
  assert.ok(scheduled);
  assert.equal(new Date(scheduled).getUTCMinutes() % 15, 0);
  assert.equal(jobs[0].metadata.name, `batch-job-every-fifteen-minutes-${Date.parse(scheduled) / 60_000}`);
  const cj = JSON.parse(await c.k('get', 'cronjob', 'batch-job-every-fifteen-minutes', '-o', 'json')) as { status: { lastScheduleTime?: string } };
  assert.equal(cj.status.lastScheduleTime, scheduled);
  await eventually('lastSuccessfulTime once the job completes', async () => {
    const cur = JSON.parse(await c.k('get', 'cronjob', 'batch-job-every-fifteen-minutes', '-o', 'json')) as { status: { lastSuccessfulTime?: string; active?: unknown[] } };
    return cur.status.lastSuccessfulTime !== undefined && cur.status.active === undefined;
  });
});

test('Forbid skips an activation while the previous job still runs; Replace replaces it', async () => {
  const manifest = (name: string, policy: string): string => `apiVersion: batch/v1
kind: CronJob
metadata: {name: ${name}}
spec:
  schedule: "*/1 * * * *"
  concurrencyPolicy: ${policy}
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {skiff.dev/hollow-run-seconds: "3600"}
        spec:
          restartPolicy: Never
          containers: [{name: main, image: busybox}]
`;
  await c.kIn(manifest('forbid', 'Forbid') + '---\n' + manifest('replace', 'Replace'), 'create', '-f', '-');
  advance(61_000);
  const [first] = await eventually('the first job of forbid', async () => {
    const j = await jobsOf('forbid');
    return j.length === 1 && j;
  });
  await eventually('the first job of replace', async () => (await jobsOf('replace')).length === 1);
  const replaced = (await jobsOf('replace'))[0].metadata.name;
  advance(60_000);
  await eventually('JobAlreadyActive', async () =>
    (await c.k('get', 'events', '--field-selector', 'involvedObject.name=forbid,reason=JobAlreadyActive', '-o', 'name')).trim().length > 0,
  );
  assert.deepEqual((await jobsOf('forbid')).map((j) => j.metadata.name), [first.metadata.name], 'no second job while the first runs');
  await eventually('replace started a new job and deleted the old one', async () => {
    const names = (await jobsOf('replace')).map((j) => j.metadata.name);
    return names.length === 1 && names[0] !== replaced;
  });
  const describe = await c.k('describe', 'cronjob', 'forbid');
  assert.match(describe, /JobAlreadyActive\s+.*cronjob-controller\s+Not starting job because prior execution is running and concurrency policy is Forbid/);
});

test('a suspended CronJob creates nothing', async () => {
  // The controllers' clock is already ahead of the server's: a schedule would fire at once unless suspended.
  const manifest = (await c.k('create', 'cronjob', 'sleepy', '--image=busybox', '--schedule=*/1 * * * *', '--dry-run=client', '-o', 'yaml')).replace('spec:\n', 'spec:\n  suspend: true\n');
  await c.kIn(manifest, 'create', '-f', '-');
  advance(3 * 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(await jobsOf('sleepy'), []);
});

test('finished jobs beyond successfulJobsHistoryLimit are deleted, oldest first', async () => {
  const manifest = (await c.k('create', 'cronjob', 'tidy', '--image=busybox', '--schedule=*/1 * * * *', '--dry-run=client', '-o', 'yaml')).replace('spec:\n', 'spec:\n  successfulJobsHistoryLimit: 1\n  suspend: true\n');
  await c.kIn(manifest, 'create', '-f', '-');
  await c.k('patch', 'cronjob', 'tidy', '--type=merge', '-p', '{"spec":{"suspend":false}}');
  const seen: string[] = [];
  for (let round = 0; round < 3; round++) {
    advance(60_000);
    const name = await eventually(`job of round ${round}`, async () => {
      const fresh = (await jobsOf('tidy')).map((j) => j.metadata.name).find((n) => !seen.includes(n));
      return fresh;
    });
    seen.push(name);
    // Unsuspending may fire a missed activation besides this round's, so the job seen may be the
    // older of two and already cleaned up as finished once the newer completes.
    await eventually(`job ${name} complete`, async () => {
      const r = await c.kTry('get', 'job', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Complete")].status}');
      return r.code === 0 ? r.stdout === 'True' : /NotFound/.test(r.stderr);
    });
  }
  advance(1000);
  await eventually('only the newest job kept', async () => {
    const names = (await jobsOf('tidy')).map((j) => j.metadata.name);
    // The clock keeps moving, so a later activation may have replaced the third job meanwhile.
    return names.length === 1 && !seen.slice(0, 2).includes(names[0]) && names[0] >= seen[2];
  });
});
