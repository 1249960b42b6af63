import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podStatus, type ContainerRecord, type ContainerView } from './status.js';
import type { Pod } from '../client/index.js';

const now = '2026-01-01T00:00:00Z';
const pod = (restartPolicy: 'Always' | 'OnFailure' | 'Never', init = false): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { restartPolicy, containers: [{ name: 'a', image: 'busybox' }], ...(init ? { initContainers: [{ name: 'i', image: 'busybox' }] } : {}) },
});
const rec = (state: ContainerRecord['state'], exitCode = 0, attempt = 0, reason = ''): ContainerRecord => ({
  id: `id${attempt}`, attempt, state, exitCode, reason, message: '', startedAt: now, finishedAt: state === 'exited' ? now : '', imageRef: 'sha256:x',
});
const views = (a: ContainerView, i?: ContainerView) => ({ main: new Map([['a', a]]), init: new Map(i ? [['i', i]] : []), podIP: '10.42.0.2', hostIP: '127.0.0.1', sandboxReady: true, now });

test('running and ready containers make a Running, Ready pod', () => {
  const s = podStatus(pod('Always'), views({ latest: rec('running'), ready: true, started: true }));
  assert.equal(s.phase, 'Running');
  assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(s.containerStatuses?.[0].ready, true);
  assert.equal(s.qosClass, 'BestEffort');
});

test('CrashLoopBackOff keeps the pod Running with the last termination and restart count', () => {
  const s = podStatus(pod('Always'), views({ latest: rec('exited', 1, 3), previous: rec('exited', 1, 2), waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' }, ready: false, started: false }));
  const cs = s.containerStatuses![0];
  assert.equal(s.phase, 'Running');
  assert.equal(cs.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(cs.lastState?.terminated?.exitCode, 1);
  assert.equal(cs.lastState?.terminated?.reason, 'Error');
  assert.equal(cs.restartCount, 3);
  assert.match(s.conditions!.find((c) => c.type === 'Ready')!.message!, /unready status: \[a\]/);
});

test('phases of finished pods follow the restart policy', () => {
  assert.equal(podStatus(pod('Never'), views({ latest: rec('exited', 0), ready: false, started: false })).phase, 'Succeeded');
  assert.equal(podStatus(pod('Never'), views({ latest: rec('exited', 137, 0, 'OOMKilled'), ready: false, started: false })).phase, 'Failed');
  assert.equal(podStatus(pod('OnFailure'), views({ latest: rec('exited', 0), ready: false, started: false })).phase, 'Succeeded');
  const done = podStatus(pod('Never'), views({ latest: rec('exited', 0), ready: false, started: false }));
  assert.equal(done.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
});

test('pending init containers hold the pod in Pending/PodInitializing', () => {
  const s = podStatus(pod('Always', true), views({ ready: false, started: false }, { latest: rec('running'), ready: false, started: true }));
  assert.equal(s.phase, 'Pending');
  assert.equal(s.containerStatuses?.[0].state?.waiting?.reason, 'PodInitializing');
  assert.equal(s.conditions?.find((c) => c.type === 'Initialized')?.status, 'False');
  const failed = podStatus(pod('Never', true), views({ ready: false, started: false }, { latest: rec('exited', 2), ready: false, started: false }));
  assert.equal(failed.phase, 'Failed');
});

test('condition transition times stay while the status does not change', () => {
  const p = pod('Always');
  p.status = { conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }] };
  const s = podStatus(p, views({ latest: rec('running'), ready: true, started: true }));
  assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2025-01-01T00:00:00Z');
});

test('conditions come in kubelet 1.29+ order with lastProbeTime null; PodReadyToStartContainers follows the sandbox', () => {
  const s = podStatus(pod('Always'), views({ latest: rec('running'), ready: true, started: true }));
  assert.deepEqual(s.conditions?.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  for (const c of s.conditions!) assert.equal(c.lastProbeTime, null);
  assert.equal(s.conditions![0].status, 'True');
  const noSandbox = podStatus(pod('Always'), { ...views({ ready: false, started: false }), podIP: '', sandboxReady: false });
  assert.equal(noSandbox.conditions![0].status, 'False');
  assert.equal(noSandbox.conditions![0].reason, undefined);
});
