// A cluster for workload-controller tests: a real `skiff server` process, and in this process the
// scheduler, hollow nodes and the workload controllers on its admin kubeconfig. Everything is stopped
// in an `after` hook by the test file (the server by its pid).
import { clientFromKubeconfig, ResourceClient, type RestClient } from '../../../src/client/index.js';
import { lookupResource, type KubeObject } from '../../../src/api/index.js';
import { startControllers, type ControllersHandle } from '../../../src/controllers/index.js';
import { startHollowNodes, startScheduler, type HollowNodes, type SchedulerHandle } from '../../../src/scheduler/index.js';
import { kubectl, kubectlOk, startTestServer, type KubectlResult, type TestServer } from '../../lib/index.js';

export interface TestCluster {
  server: TestServer;
  rest: RestClient;
  controllers: ControllersHandle;
  /** kubectl 1.33 against the cluster; fails the test on a non-zero exit. */
  k(...args: string[]): Promise<string>;
  /** kubectl 1.33 that may fail. */
  kTry(...args: string[]): Promise<KubectlResult>;
  kIn(input: string, ...args: string[]): Promise<string>;
  kEnv(env: Record<string, string>, ...args: string[]): Promise<string>;
  client<T extends KubeObject = KubeObject>(group: string, version: string, resource: string): ResourceClient<T>;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  nodes?: number;
  nodeLabels?: (index: number) => Record<string, string>;
  now?: () => Date;
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const server = await startTestServer();
  const rest = clientFromKubeconfig(server.kubeconfig);
  let scheduler: SchedulerHandle | undefined;
  const hollow: HollowNodes[] = [];
  let controllers: ControllersHandle | undefined;
  const stop = async (): Promise<void> => {
    await controllers?.stop();
    await scheduler?.stop();
    for (const h of hollow) await h.stop();
    rest.close();
    await server.stop();
  };
  try {
    const count = options.nodes ?? 3;
    if (options.nodeLabels) {
      for (let i = 0; i < count; i++) hollow.push(await startHollowNodes({ rest, count: 1, namePrefix: `node-${i}-`, labels: options.nodeLabels(i) }));
    } else {
      hollow.push(await startHollowNodes({ rest, count, namePrefix: 'node-' }));
    }
    scheduler = await startScheduler({ client: rest });
    controllers = await startControllers({ client: rest, now: options.now });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    server,
    rest,
    controllers,
    k: (...args) => kubectlOk('1.33', server.kubeconfig, args),
    kTry: (...args) => kubectl('1.33', server.kubeconfig, args),
    kIn: (input, ...args) => kubectlOk('1.33', server.kubeconfig, args, { input }),
    kEnv: (env, ...args) => kubectlOk('1.33', server.kubeconfig, args, { env }),
    client: <T extends KubeObject>(group: string, version: string, resource: string) => new ResourceClient<T>(rest, lookupResource(group, version, resource)!),
    stop,
  };
}

/** Polls `fn` until it returns a value other than undefined/false, or fails with the last value seen. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
