// Starts a real `skiff server --disable-agent` for a test: its own temp data dir, a free port picked
// by the OS (--https-listen-port 0), loopback only. Stop it in an `after` hook: stop() sends SIGTERM
// and waits, kill9() simulates a crash; both act on the child's pid only.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  kubeconfig: string;
  pid: number;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after 10 s). Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: a crash. */
  kill9(): Promise<void>;
}

export interface TestServerOptions {
  /** Reuse a data dir (restart after a crash); default: a new temp dir. */
  dataDir?: string;
  /** Extra `skiff server` flags. */
  args?: string[];
  /** Give up waiting for readiness after this long (default 60 s). */
  timeoutMs?: number;
  /** Run the sources through tsx (default) or bin/skiff as users do (the built bundle when present). */
  fromSources?: boolean;
  /**
   * Run the server's own scheduler and controller manager (default false: most tests start exactly the
   * components they exercise in-process, and two controller managers would fight).
   */
  controlPlane?: boolean;
}

const tempDirs: string[] = [];

/** Removes the test process's temp dirs when it exits — except any with a mount still beneath it, which stays for inspection rather than risk deleting through a live mount. */
function removeTempDirs(): void {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter(Boolean);
  for (const dir of tempDirs) {
    if (mounts.some((m) => m === dir || m.startsWith(`${dir}/`))) continue;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh temp dir for one test, removed when the test process exits. */
export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `skiff-${prefix}-`));
  if (tempDirs.length === 0) process.once('exit', removeTempDirs);
  tempDirs.push(dir);
  return dir;
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? makeTempDir('server');
  const child = spawn(
    path.join(REPO_ROOT, 'bin/skiff'),
    [
      'server', '--disable-agent', '--data-dir', dataDir, '--https-listen-port', '0', '--bind-address', '127.0.0.1',
      ...(options.controlPlane ? [] : ['--disable-scheduler', '--disable-controller-manager']),
      ...(options.args ?? []),
    ],
    { env: { ...process.env, SKIFF_DEV: options.fromSources === false ? '' : '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`skiff server did not become ready:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (): void => {
      const m = output.match(/API server ready at (https:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`skiff server exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await waitExit(child);
    clearTimeout(force);
  };
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    kubeconfig: path.join(dataDir, 'kubeconfig.yaml'),
    pid: child.pid!,
    output: () => output,
    stop: () => kill('SIGTERM'),
    kill9: () => kill('SIGKILL'),
  };
}
