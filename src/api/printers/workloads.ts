// Printers of pods and the workload kinds (kubernetes pkg/printers/internalversion printPod,
// printReplicaSet, printDeployment, printJob, …): same columns, same cells, same status logic.

import type { KubeObject } from '../object.js';
import { formatLabelSelector, selectorFromLabelSelector, type LabelSelector } from '../labels.js';
import { humanDuration, since } from './duration.js';
import { ageColumn, at, boolPtr, containerCells, containersColumn, formatLabels, imagesColumn, intOrString, list, nameColumn, num, orNone, record, str, type Obj } from './cells.js';
import { column, type RowPrinter, type TableRowCondition } from './table.js';

function timeOf(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

const isRestartableInit = (c: Obj | undefined) => c?.restartPolicy === 'Always';

const conditionTrue = (conditions: unknown, type: string) => list(conditions).some((c) => c.type === type && c.status === 'True');

/** The pod row: READY, STATUS (Init:0/1, CrashLoopBackOff, Completed, Terminating…) and RESTARTS ("3 (5m ago)"). */
function podRow(pod: KubeObject, now: number): { cells: unknown[]; conditions?: TableRowCondition[] } {
  const spec = record(pod.spec);
  const status = record(pod.status);
  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  if (list(status.conditions).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let conditions: TableRowCondition[] | undefined;
  if (phase === 'Succeeded') conditions = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
  if (phase === 'Failed') conditions = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

  const initSpecs = new Map(list(spec.initContainers).map((c) => [str(c.name), c]));
  const total = list(spec.containers).length + [...initSpecs.values()].filter(isRestartableInit).length;
  let ready = 0;
  let restarts = 0;
  let restartableInitRestarts = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined) => (b !== undefined && (a === undefined || b > a) ? b : a);

  let initializing = false;
  const initStatuses = list(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const finished = timeOf(at(c, 'lastState', 'terminated', 'finishedAt'));
    restarts += num(c.restartCount);
    lastRestart = later(lastRestart, finished);
    const restartable = isRestartableInit(initSpecs.get(str(c.name)));
    if (restartable) {
      restartableInitRestarts += num(c.restartCount);
      lastRestartableInitRestart = later(lastRestartableInitRestart, finished);
    }
    const terminated = at(c, 'state', 'terminated') as Obj | undefined;
    const waitingReason = str(at(c, 'state', 'waiting', 'reason'));
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (restartable && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    if (terminated) {
      if (str(terminated.reason)) reason = `Init:${str(terminated.reason)}`;
      else reason = num(terminated.signal) !== 0 ? `Init:Signal:${num(terminated.signal)}` : `Init:ExitCode:${num(terminated.exitCode)}`;
    } else if (waitingReason && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.size}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = list(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += num(c.restartCount);
      lastRestart = later(lastRestart, timeOf(at(c, 'lastState', 'terminated', 'finishedAt')));
      const waitingReason = str(at(c, 'state', 'waiting', 'reason'));
      const terminated = at(c, 'state', 'terminated') as Obj | undefined;
      if (waitingReason) reason = waitingReason;
      else if (terminated && str(terminated.reason)) reason = str(terminated.reason);
      else if (terminated) reason = num(terminated.signal) !== 0 ? `Signal:${num(terminated.signal)}` : `ExitCode:${num(terminated.exitCode)}`;
      else if (c.ready === true && at(c, 'state', 'running') !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose last container completed but another still runs is not "Completed".
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartsCell = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);

  const podIP = str(at(list(status.podIPs)[0], 'ip')) || str(status.podIP);
  const gates = list(spec.readinessGates);
  let readinessGates = '<none>';
  if (gates.length > 0) {
    const trueCount = gates.filter((g) => list(status.conditions).find((c) => c.type === g.conditionType)?.status === 'True').length;
    readinessGates = `${trueCount}/${gates.length}`;
  }
  return {
    cells: [
      pod.metadata.name ?? '',
      `${ready}/${total}`,
      reason,
      restartsCell,
      since(pod.metadata.creationTimestamp, now),
      orNone(podIP),
      orNone(str(spec.nodeName)),
      orNone(str(status.nominatedNodeName)),
      readinessGates,
    ],
    conditions,
  };
}

function selectorString(selector: unknown): string {
  try {
    return selectorFromLabelSelector(selector as LabelSelector | undefined).toString();
  } catch {
    return '<invalid>';
  }
}

const template = (obj: KubeObject) => record(at(obj, 'spec', 'template'));

export const workloadPrinters: Record<string, RowPrinter> = {
  '/pods': {
    columns: [
      nameColumn(),
      column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'string', 'The aggregate status of the containers in this pod.'),
      column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      ageColumn(),
      column('IP', 'string', 'PodStatus.podIP', 1),
      column('Node', 'string', 'PodSpec.nodeName', 1),
      column('Nominated Node', 'string', 'PodStatus.nominatedNodeName', 1),
      column('Readiness Gates', 'string', 'PodSpec.readinessGates', 1),
    ],
    row: podRow,
  },
  '/podtemplates': {
    columns: [
      nameColumn(),
      containersColumn(0),
      imagesColumn(0),
      column('Pod Labels', 'string', 'The labels for the pod template.'),
    ],
    row: (obj) => {
      const [names, images] = containerCells(at(obj, 'template', 'spec', 'containers'));
      return { cells: [obj.metadata.name, names, images, formatLabels(at(obj, 'template', 'metadata', 'labels'))] };
    },
  },
  '/replicationcontrollers': {
    columns: [
      nameColumn(),
      column('Desired', 'integer', 'ReplicationControllerSpec.replicas'),
      column('Current', 'integer', 'ReplicationControllerStatus.replicas'),
      column('Ready', 'integer', 'ReplicationControllerStatus.readyReplicas'),
      ageColumn(),
      containersColumn(),
      imagesColumn(),
      column('Selector', 'string', 'ReplicationControllerSpec.selector', 1),
    ],
    row: (obj, now) => {
      const [names, images] = containerCells(at(template(obj), 'spec', 'containers'));
      return {
        cells: [obj.metadata.name, num(at(obj, 'spec', 'replicas')), num(at(obj, 'status', 'replicas')), num(at(obj, 'status', 'readyReplicas')), since(obj.metadata.creationTimestamp, now), names, images, formatLabels(at(obj, 'spec', 'selector'))],
      };
    },
  },
  'apps/replicasets': {
    columns: [
      nameColumn(),
      column('Desired', 'integer', 'ReplicaSetSpec.replicas'),
      column('Current', 'integer', 'ReplicaSetStatus.replicas'),
      column('Ready', 'integer', 'ReplicaSetStatus.readyReplicas'),
      ageColumn(),
      containersColumn(),
      imagesColumn(),
      column('Selector', 'string', 'ReplicaSetSpec.selector', 1),
    ],
    row: (obj, now) => {
      const [names, images] = containerCells(at(template(obj), 'spec', 'containers'));
      return {
        cells: [obj.metadata.name, num(at(obj, 'spec', 'replicas')), num(at(obj, 'status', 'replicas')), num(at(obj, 'status', 'readyReplicas')), since(obj.metadata.creationTimestamp, now), names, images, formatLabelSelector(at(obj, 'spec', 'selector') as LabelSelector)],
      };
    },
  },
  'apps/deployments': {
    columns: [
      nameColumn(),
      column('Ready', 'string', 'Number of the pod with ready state'),
      column('Up-to-date', 'string', 'DeploymentStatus.updatedReplicas'),
      column('Available', 'string', 'DeploymentStatus.availableReplicas'),
      ageColumn(),
      containersColumn(),
      imagesColumn(),
      column('Selector', 'string', 'DeploymentSpec.selector', 1),
    ],
    row: (obj, now) => {
      const [names, images] = containerCells(at(template(obj), 'spec', 'containers'));
      const readyCell = `${num(at(obj, 'status', 'readyReplicas'))}/${num(at(obj, 'spec', 'replicas'))}`;
      return {
        cells: [obj.metadata.name, readyCell, num(at(obj, 'status', 'updatedReplicas')), num(at(obj, 'status', 'availableReplicas')), since(obj.metadata.creationTimestamp, now), names, images, selectorString(at(obj, 'spec', 'selector'))],
      };
    },
  },
  'apps/daemonsets': {
    columns: [
      nameColumn(),
      column('Desired', 'integer', 'DaemonSetStatus.desiredNumberScheduled'),
      column('Current', 'integer', 'DaemonSetStatus.currentNumberScheduled'),
      column('Ready', 'integer', 'DaemonSetStatus.numberReady'),
      column('Up-to-date', 'integer', 'DaemonSetStatus.updatedNumberScheduled'),
      column('Available', 'integer', 'DaemonSetStatus.numberAvailable'),
      column('Node Selector', 'string', 'PodSpec.nodeSelector'),
      ageColumn(),
      containersColumn(),
      imagesColumn(),
      column('Selector', 'string', 'DaemonSetSpec.selector', 1),
    ],
    row: (obj, now) => {
      const s = record(obj.status);
      const [names, images] = containerCells(at(template(obj), 'spec', 'containers'));
      return {
        cells: [
          obj.metadata.name,
          num(s.desiredNumberScheduled),
          num(s.currentNumberScheduled),
          num(s.numberReady),
          num(s.updatedNumberScheduled),
          num(s.numberAvailable),
          formatLabels(at(template(obj), 'spec', 'nodeSelector')),
          since(obj.metadata.creationTimestamp, now),
          names,
          images,
          formatLabelSelector(at(obj, 'spec', 'selector') as LabelSelector),
        ],
      };
    },
  },
  'apps/statefulsets': {
    columns: [nameColumn(), column('Ready', 'string', 'Number of the pod with ready state'), ageColumn(), containersColumn(), imagesColumn()],
    row: (obj, now) => {
      const [names, images] = containerCells(at(template(obj), 'spec', 'containers'));
      return { cells: [obj.metadata.name, `${num(at(obj, 'status', 'readyReplicas'))}/${num(at(obj, 'spec', 'replicas'))}`, since(obj.metadata.creationTimestamp, now), names, images] };
    },
  },
  'apps/controllerrevisions': {
    columns: [nameColumn(), column('Controller', 'string', 'Controller of the object'), column('Revision', 'string', 'ControllerRevision.revision'), ageColumn()],
    row: (obj, now) => {
      const owner = (obj.metadata.ownerReferences ?? []).find((o) => o.controller === true);
      let controller = '<none>';
      if (owner) {
        const slash = owner.apiVersion.indexOf('/');
        const group = slash < 0 ? '' : owner.apiVersion.slice(0, slash);
        controller = `${(group ? `${owner.kind}.${group}` : owner.kind).toLowerCase()}/${owner.name}`;
      }
      return { cells: [obj.metadata.name, controller, num(obj.revision), since(obj.metadata.creationTimestamp, now)] };
    },
  },
  'batch/jobs': {
    columns: [
      nameColumn(),
      column('Status', 'string', 'Status of the job.'),
      column('Completions', 'string', 'JobStatus.succeeded'),
      column('Duration', 'string', 'Time required to complete the job.'),
      ageColumn(),
      containersColumn(),
      imagesColumn(),
      column('Selector', 'string', 'JobSpec.selector', 1),
    ],
    row: (obj, now) => {
      const spec = record(obj.spec);
      const status = record(obj.status);
      const succeeded = num(status.succeeded);
      let completions: string;
      if (typeof spec.completions === 'number') completions = `${succeeded}/${spec.completions}`;
      else completions = num(spec.parallelism) > 1 ? `${succeeded}/1 of ${num(spec.parallelism)}` : `${succeeded}/1`;
      const start = timeOf(status.startTime);
      const end = timeOf(status.completionTime);
      const duration = start === undefined ? '' : humanDuration((end ?? now) - start);
      // The first condition of a type decides, as hasJobCondition does.
      const has = (type: string) => list(status.conditions).find((c) => c.type === type)?.status === 'True';
      let state = 'Running';
      if (has('Complete')) state = 'Complete';
      else if (has('Failed')) state = 'Failed';
      else if (obj.metadata.deletionTimestamp) state = 'Terminating';
      else if (has('Suspended')) state = 'Suspended';
      else if (has('FailureTarget')) state = 'FailureTarget';
      const [names, images] = containerCells(at(template(obj), 'spec', 'containers'));
      return { cells: [obj.metadata.name, state, completions, duration, since(obj.metadata.creationTimestamp, now), names, images, formatLabelSelector(spec.selector as LabelSelector)] };
    },
  },
  'batch/cronjobs': {
    columns: [
      nameColumn(),
      column('Schedule', 'string', 'CronJobSpec.schedule'),
      column('Timezone', 'string', 'CronJobSpec.timeZone'),
      column('Suspend', 'boolean', 'CronJobSpec.suspend'),
      column('Active', 'integer', 'CronJobStatus.active'),
      column('Last Schedule', 'string', 'CronJobStatus.lastScheduleTime'),
      ageColumn(),
      containersColumn(),
      imagesColumn(),
      column('Selector', 'string', 'JobSpec.selector', 1),
    ],
    row: (obj, now) => {
      const spec = record(obj.spec);
      const status = record(obj.status);
      const jobSpec = record(at(spec, 'jobTemplate', 'spec'));
      const [names, images] = containerCells(at(jobSpec, 'template', 'spec', 'containers'));
      return {
        cells: [
          obj.metadata.name,
          str(spec.schedule),
          orNone(str(spec.timeZone)),
          boolPtr(spec.suspend),
          list(status.active).length,
          status.lastScheduleTime ? since(status.lastScheduleTime, now) : '<none>',
          since(obj.metadata.creationTimestamp, now),
          names,
          images,
          formatLabelSelector(jobSpec.selector as LabelSelector),
        ],
      };
    },
  },
  'policy/poddisruptionbudgets': {
    columns: [
      nameColumn(),
      column('Min Available', 'string', 'The minimum number of pods that must be available.'),
      column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
      column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
      ageColumn(),
    ],
    row: (obj, now) => {
      const spec = record(obj.spec);
      const orNA = (v: unknown) => (v === undefined || v === null ? 'N/A' : intOrString(v));
      return { cells: [obj.metadata.name, orNA(spec.minAvailable), orNA(spec.maxUnavailable), num(at(obj, 'status', 'disruptionsAllowed')), since(obj.metadata.creationTimestamp, now)] };
    },
  },
};
