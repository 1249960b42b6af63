// The workload controllers of kube-controller-manager (and, added one line each by their owners, the
// cluster controllers): startControllers() runs them all against an API server on one shared set of
// informers, the way kube-controller-manager shares its informer factory.
import { clientFromKubeconfig, InformerFactory, type RestClient } from '../client/index.js';
import { CronJobController } from './cronjob/index.js';
import { DaemonSetController } from './daemonset/index.js';
import { DeploymentController } from './deployment/index.js';
import { JobController } from './job/index.js';
import { HorizontalPodAutoscalerController } from './podautoscaler/index.js';
import { ReplicaSetController } from './replicaset/index.js';
import { ReplicationControllerController } from './replicationcontroller/index.js';
import { StatefulSetController } from './statefulset/index.js';
import { EndpointsController } from './endpoints/index.js';
import { EndpointSliceController } from './endpointslice/index.js';
import { NodeIpamController } from './nodeipam/index.js';
import { GarbageCollector } from './garbagecollector/index.js';
import { NamespaceController } from './namespace/index.js';
import { ServiceAccountController } from './serviceaccount/index.js';
import { NodeLifecycleController } from './nodelifecycle/index.js';
import { PersistentVolumeController } from './volume/index.js';
import { DisruptionController } from './disruption/index.js';
import { ResourceQuotaController } from './resourcequota/index.js';
import { ServiceLBController } from './servicelb/index.js';

/** What every controller is built from. */
export interface ControllerContext {
  rest: RestClient;
  informers: InformerFactory;
  /** The controllers' clock (CronJob schedules, deadlines, minReadySeconds); tests pass their own. */
  now: () => Date;
  /** The pod network node IPAM cuts into per-node /24s (--cluster-cidr; default 10.42.0.0/16). */
  clusterCIDR?: string;
  /** --node-monitor-grace-period and --node-monitor-period, in seconds (defaults 40 and 5). */
  nodeLifecycle?: { gracePeriodSeconds?: number; monitorPeriodSeconds?: number };
  /** Where the local-path provisioner makes volume directories (default /var/lib/skiff/storage). */
  storageDir?: string;
}

/** A controller wired to its informers: run() starts its workers, stop() shuts its queue down. */
export interface Controller {
  readonly name: string;
  run(workers: number): void;
  stop(): Promise<void>;
  /** Looks at every object again, for controllers that act on the clock rather than on events. */
  resync?(): void;
}

export interface StartControllersOptions {
  /** An existing client, or a kubeconfig file to build one from. */
  client?: RestClient;
  kubeconfig?: string;
  informers?: InformerFactory;
  now?: () => Date;
  /** Run only these controllers (by name, e.g. "replicaset", "deployment"); default: all. */
  only?: string[];
  /** Workers per controller (kube-controller-manager's --concurrent-*-syncs; default 5). */
  workers?: number;
  clusterCIDR?: string;
  nodeLifecycle?: ControllerContext['nodeLifecycle'];
  storageDir?: string;
}

export interface ControllersHandle {
  readonly controllers: Controller[];
  /** Makes clock-driven controllers (CronJob) look again, e.g. after a test moved its clock. */
  resync(): void;
  stop(): Promise<void>;
}

const CONTROLLERS: Record<string, (ctx: ControllerContext) => Controller> = {
  replicaset: (ctx) => new ReplicaSetController(ctx),
  replicationcontroller: (ctx) => new ReplicationControllerController(ctx),
  deployment: (ctx) => new DeploymentController(ctx),
  job: (ctx) => new JobController(ctx),
  endpoints: (ctx) => new EndpointsController(ctx),
  endpointslice: (ctx) => new EndpointSliceController(ctx),
  nodeipam: (ctx) => new NodeIpamController(ctx),
  garbagecollector: (ctx) => new GarbageCollector(ctx),
  namespace: (ctx) => new NamespaceController(ctx),
  serviceaccount: (ctx) => new ServiceAccountController(ctx),
  nodelifecycle: (ctx) => new NodeLifecycleController(ctx),
  persistentvolume: (ctx) => new PersistentVolumeController(ctx),
  disruption: (ctx) => new DisruptionController(ctx),
  resourcequota: (ctx) => new ResourceQuotaController(ctx),
  servicelb: (ctx) => new ServiceLBController(ctx),
  cronjob: (ctx) => new CronJobController(ctx),
  daemonset: (ctx) => new DaemonSetController(ctx),
  statefulset: (ctx) => new StatefulSetController(ctx),
  horizontalpodautoscaling: (ctx) => new HorizontalPodAutoscalerController(ctx),
};

export async function startControllers(options: StartControllersOptions): Promise<ControllersHandle> {
  const rest = options.client ?? (options.kubeconfig ? clientFromKubeconfig(options.kubeconfig) : undefined);
  if (!rest) throw new Error('startControllers needs a client or a kubeconfig');
  const ownsInformers = !options.informers;
  const informers = options.informers ?? new InformerFactory(rest);
  const ctx: ControllerContext = { rest, informers, now: options.now ?? (() => new Date()), clusterCIDR: options.clusterCIDR, nodeLifecycle: options.nodeLifecycle, storageDir: options.storageDir };
  const names = options.only ?? Object.keys(CONTROLLERS);
  const unknown = names.filter((n) => !CONTROLLERS[n]);
  if (unknown.length) throw new Error(`unknown controller(s): ${unknown.join(', ')}; known: ${Object.keys(CONTROLLERS).join(', ')}`);
  const controllers = names.map((n) => CONTROLLERS[n](ctx));
  informers.start();
  await informers.waitForSync();
  for (const c of controllers) c.run(options.workers ?? 5);
  return {
    controllers,
    resync: () => controllers.forEach((c) => c.resync?.()),
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
      if (ownsInformers) informers.stop();
      if (!options.client) rest.close();
    },
  };
}
