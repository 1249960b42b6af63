// Jobs on hollow nodes (pods "run" for the seconds in the skiff.dev/hollow-run-seconds annotation, and
// exit with skiff.dev/hollow-exit-code) driven by the real kubectl 1.33.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Informer, ResourceClient, refs, type Pod } from '../../../src/client/index.js';
import { kubectl, REPO_ROOT } from '../../lib/index.js';
import { eventually, startTestCluster, type TestCluster } from './cluster.js';

let c: TestCluster;

before(async () => {
  c = await startTestCluster({ nodes: 3 });
});
after(async () => {
  await c?.stop();
});

interface JobJson {
  status: { succeeded?: number; failed?: number; active?: number; startTime?: string; completionTime?: string; completedIndexes?: string; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

async function job(name: string): Promise<JobJson> {
  return JSON.parse(await c.k('get', 'job', name, '-o', 'json')) as JobJson;
}

function jobManifest(name: string, spec: string, podAnnotations = 'skiff.dev/hollow-run-seconds: "1"', restartPolicy = 'Never'): string {
  return `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
${spec}
  template:
    metadata:
      annotations: {${podAnnotations}}
    spec:
      restartPolicy: ${restartPolicy}
      containers: [{name: main, image: busybox}]
`;
}

test('the seed job runs to completion', async () => {
  const seed = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/seeds/kube-job.yaml'), 'utf8');
  assert.match(await c.kIn(seed, 'create', '-f', '-'), /job.batch\/batch-job created/);
  await c.k('wait', '--for=condition=complete', 'job/batch-job', '--timeout=60s');
  const j = await job('batch-job');
  assert.equal(j.status.succeeded, 1);
  assert.ok(j.status.startTime && j.status.completionTime);
  assert.match(await c.k('get', 'jobs', 'batch-job'), /batch-job\s+Complete\s+1\/1\s+/);
  const events = await c.k('get', 'events', '--field-selector', 'involvedObject.name=batch-job', '-o', 'custom-columns=R:.reason,S:.source.component', '--no-headers');
  assert.match(events, /SuccessfulCreate\s+job-controller/);
  assert.match(events, /Completed\s+job-controller/);
});

test('completions 5 with parallelism 2 never runs more than 2 pods at once', async () => {
  const informer = new Informer<Pod>(new ResourceClient<Pod>(c.rest, refs.pods), { labelSelector: 'job-name=par' });
  let running = 0;
  let peak = 0;
  const live = new Set<string>();
  const track = (p: Pod): void => {
    const active = !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
    if (active) live.add(String(p.metadata.name));
    else live.delete(String(p.metadata.name));
    running = live.size;
    peak = Math.max(peak, running);
  };
  informer.addEventHandler({ add: track, update: (_o, p) => track(p), delete: (p) => live.delete(String(p.metadata.name)) });
  informer.start();
  try {
    await informer.waitForSync();
    await c.kIn(jobManifest('par', '  completions: 5\n  parallelism: 2'), 'create', '-f', '-');
    await c.k('wait', '--for=condition=complete', 'job/par', '--timeout=90s');
    const j = await job('par');
    assert.equal(j.status.succeeded, 5);
    assert.equal(peak, 2, 'two pods ran side by side, never more');
    assert.equal((await c.k('get', 'pods', '-l', 'job-name=par', '--no-headers')).trim().split('\n').length, 5);
  } finally {
    informer.stop();
  }
});

test('an Indexed job runs one pod per index with JOB_COMPLETION_INDEX', async () => {
  await c.kIn(jobManifest('idx', '  completions: 3\n  parallelism: 3\n  completionMode: Indexed'), 'create', '-f', '-');
  await c.k('wait', '--for=condition=complete', 'job/idx', '--timeout=60s');
  assert.equal((await job('idx')).status.completedIndexes, '0-2');
  const pods = JSON.parse(await c.k('get', 'pods', '-l', 'job-name=idx', '-o', 'json')) as {
    items: Array<{ metadata: { name: string; annotations: Record<string, string> }; spec: { hostname: string; containers: Array<{ env: Array<{ name: string; valueFrom: { fieldRef: { fieldPath: string } } }> }> } }>;
  };
  const indexes = pods.items.map((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index']).sort();
  assert.deepEqual(indexes, ['0', '1', '2']);
  for (const p of pods.items) {
    const i = p.metadata.annotations['batch.kubernetes.io/job-completion-index'];
    assert.match(p.metadata.name, new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
    assert.equal(p.spec.hostname, `idx-${i}`);
    assert.equal(p.spec.containers[0].env.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom.fieldRef.fieldPath, "metadata.labels['batch.kubernetes.io/job-completion-index']");
  }
});

test('a failing pod fails the Job at backoffLimit 0; a FailJob rule names the exit code; a deadline stops a long job', async () => {
  await c.kIn(jobManifest('fails', '  backoffLimit: 0', 'skiff.dev/hollow-run-seconds: "0", skiff.dev/hollow-exit-code: "3"'), 'create', '-f', '-');
  await c.k('wait', '--for=condition=failed', 'job/fails', '--timeout=60s');
  const failed = (await job('fails')).status;
  assert.equal(failed.failed, 1);
  assert.deepEqual(failed.conditions?.find((x) => x.type === 'Failed'), { ...failed.conditions?.find((x) => x.type === 'Failed'), status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });

  const policy = '  backoffLimit: 6\n  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes: {containerName: main, operator: In, values: [42]}';
  await c.kIn(jobManifest('policy', policy, 'skiff.dev/hollow-run-seconds: "0", skiff.dev/hollow-exit-code: "42"'), 'create', '-f', '-');
  await c.k('wait', '--for=condition=failed', 'job/policy', '--timeout=60s');
  const cond = (await job('policy')).status.conditions?.find((x) => x.type === 'Failed');
  assert.equal(cond?.reason, 'PodFailurePolicy');
  assert.match(cond?.message ?? '', /^Container main for pod default\/policy-[a-z0-9]{5} failed with exit code 42 matching FailJob rule at index 0$/);

  await c.kIn(jobManifest('slow', '  activeDeadlineSeconds: 2', 'skiff.dev/hollow-run-seconds: "600"'), 'create', '-f', '-');
  await c.k('wait', '--for=condition=failed', 'job/slow', '--timeout=60s');
  assert.equal((await job('slow')).status.conditions?.find((x) => x.type === 'Failed')?.reason, 'DeadlineExceeded');
  await eventually('the deadline killed the pod', async () => (await c.k('get', 'pods', '-l', 'job-name=slow', '--no-headers')).trim() === '');
});

test('restartPolicy Always is refused; a suspended job runs nothing until resumed; ttlSecondsAfterFinished deletes it', async () => {
  // kube-apiserver 1.33 words it as a Required value (validateJobSpec), not as Unsupported.
  const refused = await kubectl('1.33', c.server.kubeconfig, ['create', '-f', '-'], { input: jobManifest('always', '  completions: 1', '', 'Always') });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /The Job "always" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"/);

  await c.kIn(jobManifest('later', '  suspend: true\n  ttlSecondsAfterFinished: 1'), 'create', '-f', '-');
  await eventually('Suspended condition', async () => (await job('later')).status.conditions?.some((x) => x.type === 'Suspended' && x.status === 'True'));
  assert.equal((await c.k('get', 'pods', '-l', 'job-name=later', '--no-headers')).trim(), '');
  await c.k('patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}');
  await c.k('wait', '--for=condition=complete', 'job/later', '--timeout=60s');
  await eventually('the finished job deleted after its TTL', async () => (await c.kTry('get', 'job', 'later')).stderr.includes('NotFound'));
});
