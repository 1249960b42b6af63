// A cluster as `skiff server` runs it (its own scheduler and controllers) with hollow nodes registered
// from this process: the kubectl workflows of the seeds that need nodes but no real containers.
import { clientFromKubeconfig, type RestClient } from '../../../src/client/index.js';
import { startHollowNodes, type HollowNodes } from '../../../src/scheduler/index.js';
import { kubectl, kubectlOk, startTestServer, type KubectlResult, type KubectlVersion, type TestServer } from '../../lib/index.js';

export { eventually } from '../../controllers/workloads/cluster.js';

export interface HollowCluster {
  server: TestServer;
  rest: RestClient;
  nodes: string[];
  /** kubectl (1.33 unless given) exactly as typed; fails the test on a non-zero exit. */
  k(...args: string[]): Promise<string>;
  kv(version: KubectlVersion, ...args: string[]): Promise<string>;
  kvIn(version: KubectlVersion, input: string, ...args: string[]): Promise<string>;
  /** kubectl 1.33 that may fail. */
  kTry(...args: string[]): Promise<KubectlResult>;
  kTryIn(input: string, ...args: string[]): Promise<KubectlResult>;
  /** kubectl 1.33 with `input` on stdin (`-f -`). */
  kIn(input: string, ...args: string[]): Promise<string>;
  kEnv(env: Record<string, string>, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startHollowCluster(nodeCount: number): Promise<HollowCluster> {
  const server = await startTestServer({ controlPlane: true });
  const rest = clientFromKubeconfig(server.kubeconfig);
  let hollow: HollowNodes | undefined;
  const stop = async (): Promise<void> => {
    await hollow?.stop();
    rest.close();
    await server.stop();
  };
  try {
    hollow = await startHollowNodes({ rest, count: nodeCount, namePrefix: 'node-n' });
  } catch (err) {
    await stop();
    throw err;
  }
  const kc = server.kubeconfig;
  return {
    server,
    rest,
    nodes: [...hollow.names],
    k: (...args) => kubectlOk('1.33', kc, args),
    kv: (version, ...args) => kubectlOk(version, kc, args),
    kvIn: (version, input, ...args) => kubectlOk(version, kc, args, { input }),
    kTry: (...args) => kubectl('1.33', kc, args),
    kTryIn: (input, ...args) => kubectl('1.33', kc, args, { input }),
    kIn: (input, ...args) => kubectlOk('1.33', kc, args, { input }),
    kEnv: (env, ...args) => kubectlOk('1.33', kc, args, { env }),
    stop,
  };
}
