// skiff's scheduler (kube-scheduler's behaviour): startScheduler() runs it against an API server,
// optionally only while holding the kube-system/kube-scheduler Lease.
import os from 'node:os';
import crypto from 'node:crypto';
import { clientFromKubeconfig, runWhileLeading, type InformerFactory, type RestClient } from '../client/index.js';
import { loadSchedulerConfig, parseDuration, type SchedulerConfiguration } from './config.js';
import { Scheduler } from './scheduler.js';

export { Scheduler, type SchedulerStats } from './scheduler.js';
export { numFeasibleNodesToFind, schedulePod } from './algorithm.js';
export { parseSchedulerConfig, loadSchedulerConfig, SchedulerConfigError, DEFAULT_SCHEDULER_NAME, type SchedulerConfiguration, type ProfileConfig } from './config.js';
export { fitErrorMessage } from './framework.js';
export { priorityAdmission, SYSTEM_PRIORITY_CLASSES, type PriorityClass, type PriorityLookups } from './priority.js';
export { podRequests } from './resources.js';
export type { Pod, Node, PodSpec, PodStatus, PodCondition, NodeCondition, Taint, Toleration, Container, ContainerStatus } from './types.js';
export { startHollowNodes, type HollowNodesOptions, type HollowNodes } from './hollow/index.js';

export interface LeaderElectionSettings {
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  identity?: string;
  namespace?: string;
  name?: string;
}

export interface StartSchedulerOptions {
  /** An existing client, or a kubeconfig file to build one from. */
  client?: RestClient;
  kubeconfig?: string;
  /** A KubeSchedulerConfiguration file (`--scheduler-config`). */
  configFile?: string;
  config?: SchedulerConfiguration;
  /** true, or timings: run only while holding the Lease (the config file's leaderElection also turns it on). */
  leaderElection?: boolean | LeaderElectionSettings;
  informers?: InformerFactory;
}

export interface SchedulerHandle {
  /** The running scheduler (undefined while another instance leads). */
  current(): Scheduler | undefined;
  stop(): Promise<void>;
}

export async function startScheduler(options: StartSchedulerOptions): Promise<SchedulerHandle> {
  const rest = options.client ?? (options.kubeconfig ? clientFromKubeconfig(options.kubeconfig) : undefined);
  if (!rest) throw new Error('startScheduler needs a client or a kubeconfig');
  const config = options.config ?? (options.configFile ? loadSchedulerConfig(options.configFile) : { profiles: [{}] });
  const le = config.leaderElection;
  const settings: LeaderElectionSettings | undefined =
    typeof options.leaderElection === 'object' ? options.leaderElection : options.leaderElection || le?.leaderElect ? {} : undefined;
  const ownsClient = !options.client;

  if (!settings) {
    const scheduler = new Scheduler({ rest, config, informers: options.informers });
    await scheduler.start();
    return {
      current: () => scheduler,
      stop: async () => {
        await scheduler.stop();
        if (ownsClient) rest.close();
      },
    };
  }

  let scheduler: Scheduler | undefined;
  const lead = runWhileLeading(
    {
      rest,
      name: settings.name ?? le?.resourceName ?? 'kube-scheduler',
      namespace: settings.namespace ?? le?.resourceNamespace ?? 'kube-system',
      identity: settings.identity ?? `${os.hostname()}_${crypto.randomUUID()}`,
      leaseDurationMs: settings.leaseDurationMs ?? parseDuration(le?.leaseDuration, 15_000),
      renewDeadlineMs: settings.renewDeadlineMs ?? parseDuration(le?.renewDeadline, 10_000),
      retryPeriodMs: settings.retryPeriodMs ?? parseDuration(le?.retryPeriod, 2_000),
    },
    async () => {
      // A fresh scheduler per term: its caches start from a new list, never from a stale term.
      const s = new Scheduler({ rest, config, informers: options.informers });
      scheduler = s;
      await s.start();
      return {
        stop: async () => {
          if (scheduler === s) scheduler = undefined;
          await s.stop();
        },
      };
    },
  );
  return {
    current: () => scheduler,
    stop: async () => {
      await lead.stop();
      if (ownsClient) rest.close();
    },
  };
}
export { podMatchesNodeSelectorAndAffinity, firstUntoleratedTaint, tolerates } from './node-selector.js';
