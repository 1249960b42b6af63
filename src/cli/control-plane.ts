// The scheduler and the controller manager of `skiff server`, each run only while this server holds
// its Lease in kube-system (kube-scheduler, kube-controller-manager), so several servers on one etcd
// never schedule or reconcile twice.
import os from 'node:os';
import crypto from 'node:crypto';
import { clientFromKubeconfig, runWhileLeading, type LeaderRun } from '../client/index.js';
import { startScheduler } from '../scheduler/index.js';
import { startControllers } from '../controllers/index.js';

export interface ControlPlaneOptions {
  scheduler: boolean;
  controllers: boolean;
}

export async function startControlPlane(kubeconfig: string, options: ControlPlaneOptions): Promise<{ stop(): Promise<void> }> {
  const rest = clientFromKubeconfig(kubeconfig);
  const identity = `${os.hostname()}_${crypto.randomUUID()}`;
  const scheduler = options.scheduler ? await startScheduler({ client: rest, leaderElection: { identity } }) : undefined;
  const controllers: LeaderRun | undefined = options.controllers
    ? runWhileLeading({ rest, name: 'kube-controller-manager', namespace: 'kube-system', identity }, () => startControllers({ client: rest }))
    : undefined;
  return {
    stop: async () => {
      await Promise.all([scheduler?.stop(), controllers?.stop()]);
      rest.close();
    },
  };
}
