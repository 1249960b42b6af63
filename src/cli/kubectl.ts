// `skiff kubectl ...`: the system kubectl pointed at this machine's cluster, as `k3s kubectl` does.
// KUBECONFIG wins when set; otherwise the kubeconfig `skiff server` wrote under the data dir.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type { CommandModule } from './command.js';

export const DEFAULT_DATA_DIR = '/var/lib/skiff';

export function clusterKubeconfig(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBECONFIG) return env.KUBECONFIG;
  return path.join(env.SKIFF_DATA_DIR || DEFAULT_DATA_DIR, 'kubeconfig.yaml');
}

export const run: CommandModule['run'] = async (argv) => {
  const kubeconfig = clusterKubeconfig();
  if (!fs.existsSync(kubeconfig)) {
    process.stderr.write(
      `skiff kubectl: no kubeconfig at ${kubeconfig}: start the cluster with 'skiff server' (or set KUBECONFIG / SKIFF_DATA_DIR)\n`,
    );
    return 1;
  }
  const child = spawn('kubectl', argv, { stdio: 'inherit', env: { ...process.env, KUBECONFIG: kubeconfig } });
  return new Promise<number>((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`skiff kubectl: cannot run kubectl: ${err.message} (run scripts/setup)\n`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1)));
  });
};

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return (os.constants.signals as Record<string, number>)[signal];
}
