// Runs a real kubectl (1.27–1.33 are installed side by side) against a test server's kubeconfig,
// with its own discovery/HTTP cache dir so runs never share cached discovery.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const KUBECTL_VERSIONS = ['1.27', '1.33'] as const;
export type KubectlVersion = '1.27' | '1.28' | '1.29' | '1.30' | '1.31' | '1.32' | '1.33';

export function kubectlPath(version: KubectlVersion): string {
  return `/usr/lib/google-cloud-sdk/bin/kubectl.${version}`;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (for `-f -`). */
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** kubectl <args> with --kubeconfig and a private --cache-dir; never throws on a non-zero exit. */
export function kubectl(version: KubectlVersion, kubeconfig: string, args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const cacheDir = path.join(path.dirname(kubeconfig), `kubectl-cache-${version}`);
  fs.mkdirSync(cacheDir, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath(version), [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig, ...options.env },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    // kubectl may exit before reading its stdin (EPIPE); its exit code and output tell what happened.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Like kubectl(), but fails with kubectl's output when it exits non-zero. */
export async function kubectlOk(version: KubectlVersion, kubeconfig: string, args: string[], options: KubectlOptions = {}): Promise<string> {
  const r = await kubectl(version, kubeconfig, args, options);
  if (r.code !== 0) throw new Error(`kubectl.${version} ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}
