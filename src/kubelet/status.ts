// The pod status the kubelet reports, computed from what the runtime shows for each container plus
// the worker's own knowledge (why a container waits, probe results): container states with
// lastState and restartCount, the phase (kubelet_pods.go getPhase) and the conditions in the order
// kubelet 1.29+ writes them (PodReadyToStartContainers, Initialized, Ready, ContainersReady,
// PodScheduled) with its reasons and messages.
import { podQOSClass } from '../api/index.js';
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from '../client/index.js';

/** One runtime container (one attempt) of a pod container. */
export interface ContainerRecord {
  id: string;
  attempt: number;
  state: 'created' | 'running' | 'exited' | 'unknown';
  exitCode: number;
  reason: string;
  message: string;
  startedAt: string;
  finishedAt: string;
  imageRef: string;
}

/** Everything known about one container of the pod. */
export interface ContainerView {
  latest?: ContainerRecord;
  previous?: ContainerRecord;
  /** Why the container is not running, when the worker knows better than the runtime. */
  waiting?: { reason: string; message?: string };
  ready: boolean;
  started: boolean;
}

export const CONTAINER_ID_PREFIX = 'skiff://';

/** A container status as the kubelet writes it: both states always set. */
export type ReportedContainerStatus = ContainerStatus & { state: ContainerState; lastState: ContainerState };

function terminated(r: ContainerRecord): ContainerState {
  return {
    terminated: {
      exitCode: r.exitCode,
      reason: r.reason || (r.exitCode === 0 ? 'Completed' : 'Error'),
      ...(r.message ? { message: r.message } : {}),
      startedAt: r.startedAt || null,
      finishedAt: r.finishedAt || null,
      containerID: CONTAINER_ID_PREFIX + r.id,
    },
  };
}

export function containerStatus(c: Container, v: ContainerView, defaultWaiting: string): ReportedContainerStatus {
  const r = v.latest;
  let state: ContainerState;
  let lastState: ContainerState = v.previous ? terminated(v.previous) : {};
  if (v.waiting) {
    state = { waiting: { reason: v.waiting.reason, ...(v.waiting.message ? { message: v.waiting.message } : {}) } };
    if (r?.state === 'exited') lastState = terminated(r);
  } else if (!r || r.state === 'created' || r.state === 'unknown') {
    state = { waiting: { reason: defaultWaiting } };
  } else if (r.state === 'running') {
    state = { running: { startedAt: r.startedAt } };
  } else {
    state = terminated(r);
  }
  const running = r?.state === 'running' && !v.waiting;
  return {
    name: c.name,
    state,
    lastState,
    ready: running && v.ready,
    restartCount: r ? r.attempt : 0,
    image: c.image ?? '',
    imageID: r?.imageRef ?? '',
    ...(r ? { containerID: CONTAINER_ID_PREFIX + r.id } : {}),
    started: running && v.started,
  };
}

function isSucceeded(s: ReportedContainerStatus): boolean {
  return s.state.terminated?.exitCode === 0;
}

/** kubelet's getPhase. */
export function podPhase(pod: Pod, init: ReportedContainerStatus[], main: ReportedContainerStatus[]): NonNullable<PodStatus['phase']> {
  const policy = pod.spec.restartPolicy ?? 'Always';
  const initPending = init.some((s) => !isSucceeded(s));
  if (initPending) {
    const failed = init.some((s) => (s.state.terminated && s.state.terminated.exitCode !== 0) || (s.state.waiting && s.lastState.terminated && s.lastState.terminated.exitCode !== 0));
    return failed && policy === 'Never' ? 'Failed' : 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of main) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(prev: PodCondition[] | undefined, type: string, status: 'True' | 'False', now: string, reason?: string, message?: string): PodCondition {
  const old = prev?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

export interface StatusInputs {
  init: Map<string, ContainerView>;
  main: Map<string, ContainerView>;
  podIP: string;
  hostIP: string;
  /** The pod's sandbox runs with its network set up (kubelet: no new sandbox needed). */
  sandboxReady: boolean;
  now: string;
  /** Set once the pod is finished for a reason of its own (DeadlineExceeded…). */
  failure?: { reason: string; message: string };
}

export function podStatus(pod: Pod, inputs: StatusInputs): PodStatus {
  const prev = pod.status;
  const initSpecs = pod.spec.initContainers ?? [];
  const initStatuses = initSpecs.map((c) => containerStatus(c, inputs.init.get(c.name) ?? { ready: false, started: false }, 'PodInitializing'));
  const initDone = initStatuses.every(isSucceeded);
  const mainStatuses = pod.spec.containers.map((c) =>
    containerStatus(c, inputs.main.get(c.name) ?? { ready: false, started: false }, initDone ? 'ContainerCreating' : 'PodInitializing'),
  );
  for (const s of initStatuses) s.ready = isSucceeded(s);
  let phase = podPhase(pod, initStatuses, mainStatuses);
  if (inputs.failure) phase = 'Failed';
  const notReady = mainStatuses.filter((s) => !s.ready).map((s) => s.name);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const readyReason = done ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = done ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
  const pendingInit = initStatuses.filter((s) => !isSucceeded(s)).map((s) => s.name);
  const conditions: PodCondition[] = [
    condition(prev?.conditions, 'PodReadyToStartContainers', inputs.sandboxReady ? 'True' : 'False', inputs.now),
    ...(initDone || done ? [condition(prev?.conditions, 'Initialized', 'True', inputs.now, done && !initDone ? 'PodCompleted' : undefined)] : [condition(prev?.conditions, 'Initialized', 'False', inputs.now, 'ContainersNotInitialized', `containers with incomplete status: [${pendingInit.join(' ')}]`)]),
    notReady.length || done ? condition(prev?.conditions, 'Ready', 'False', inputs.now, readyReason, readyMessage) : condition(prev?.conditions, 'Ready', 'True', inputs.now),
    notReady.length || done ? condition(prev?.conditions, 'ContainersReady', 'False', inputs.now, readyReason, readyMessage) : condition(prev?.conditions, 'ContainersReady', 'True', inputs.now),
    condition(prev?.conditions, 'PodScheduled', 'True', inputs.now),
  ];
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: inputs.hostIP,
    hostIPs: [{ ip: inputs.hostIP }],
    ...(inputs.podIP ? { podIP: inputs.podIP, podIPs: [{ ip: inputs.podIP }] } : {}),
    startTime: prev?.startTime ?? inputs.now,
    ...(initSpecs.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: mainStatuses,
    qosClass: podQOSClass(pod as unknown as Parameters<typeof podQOSClass>[0]),
  };
  if (inputs.failure) {
    status.reason = inputs.failure.reason;
    status.message = inputs.failure.message;
  }
  return status;
}
