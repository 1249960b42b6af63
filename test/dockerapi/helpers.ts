// Shared by the Docker API tests: a private engine root, `skiff system service` on a socket in a temp
// dir (killed by pid), and the real docker CLI pointed at it with its own config dir.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { destroyRoot, makeRoot, SKIFF, type Result } from '../engine/helpers.js';

export interface Service {
  root: string;
  socket: string;
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
  log: () => string;
  stop(): Promise<void>;
}

function canConnect(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startService(tag: string): Promise<Service> {
  const root = await makeRoot(tag);
  const socket = path.join(root, 'docker.sock');
  const dockerConfig = path.join(root, 'docker-config');
  fs.mkdirSync(dockerConfig);
  let log = '';
  const child = spawn(SKIFF, ['--root', root, 'system', 'service', '--socket', socket, '--time', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 30000;
  while (!(await canConnect(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`skiff system service did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: dockerConfig, DOCKER_CLI_HINTS: 'false' };
  return {
    root,
    socket,
    env,
    child,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.pid) {
        process.kill(child.pid, 'SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await destroyRoot(root);
    },
  };
}

/** Runs the real docker CLI against the service. */
export function docker(svc: Service, args: string[], input?: string, timeoutMs = 120000): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { env: svc.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** docker …, failing with its stderr unless it exits 0; returns trimmed stdout. */
export async function dockerOk(svc: Service, args: string[], input?: string): Promise<string> {
  const r = await docker(svc, args, input);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Runs a docker command under a pseudo-terminal (util-linux `script`), for -it. The terminal's input
 * stays open until the command ends, as a user's would; `script -e` returns the command's exit code.
 */
export function dockerTty(svc: Service, command: string, timeoutMs = 120000): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: svc.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
