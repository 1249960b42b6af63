// The scheduler and the controller manager of `skiff server`, each run only while this server holds
// its Lease in kube-system (kube-scheduler, kube-controller-manager), so several servers on one etcd
// never schedule or reconcile twice; and the admission steps that belong to them (Priority).
import os from 'node:os';
import crypto from 'node:crypto';
import { lookupResource } from '../api/index.js';
import type { ServerHandle } from '../apiserver/index.js';
import { clientFromKubeconfig, runWhileLeading, type LeaderRun } from '../client/index.js';
import { priorityAdmission, startScheduler, type PriorityLookups } from '../scheduler/index.js';
import { startControllers } from '../controllers/index.js';

export interface ControlPlaneOptions {
  scheduler: boolean;
  controllers: boolean;
  /** A KubeSchedulerConfiguration file (`--scheduler-config`). */
  schedulerConfig?: string;
  /** Node podCIDRs are carved from this (`--cluster-cidr`). */
  clusterCIDR?: string;
  /** Where the local-path provisioner keeps volumes (`<data-dir>/storage`). */
  storageDir: string;
}

/** PriorityClass resolution at pod admission, reading classes from the API server's cache. */
function addPriorityAdmission(server: ServerHandle): void {
  const classes = lookupResource('scheduling.k8s.io', 'v1', 'priorityclasses');
  if (!classes) throw new Error('priorityclasses missing from the resource registry');
  server.addAdmission({
    name: 'Priority',
    admit: (attrs, ctx) => {
      const lookups = {
        get: async (name: string) => ctx.get(classes, '', name),
        list: async () => ctx.list(classes, ''),
      } as unknown as PriorityLookups;
      return priorityAdmission(lookups).admit(attrs);
    },
  });
}

export async function startControlPlane(server: ServerHandle, options: ControlPlaneOptions): Promise<{ stop(): Promise<void> }> {
  addPriorityAdmission(server);
  const rest = clientFromKubeconfig(server.kubeconfigPath);
  const identity = `${os.hostname()}_${crypto.randomUUID()}`;
  const scheduler = options.scheduler ? await startScheduler({ client: rest, configFile: options.schedulerConfig, leaderElection: { identity } }) : undefined;
  const controllers: LeaderRun | undefined = options.controllers
    ? runWhileLeading({ rest, name: 'kube-controller-manager', namespace: 'kube-system', identity }, () => startControllers({ client: rest, clusterCIDR: options.clusterCIDR, storageDir: options.storageDir }))
    : undefined;
  return {
    stop: async () => {
      await Promise.all([scheduler?.stop(), controllers?.stop()]);
      rest.close();
    },
  };
}
