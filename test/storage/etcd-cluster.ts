// Starts a real etcd (the Debian etcd-server binary) for tests and benchmarks: 1 or more members on
// free loopback ports, data in a temp dir, every process stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface EtcdMember {
  name: string;
  clientUrl: string;
  process?: ChildProcess;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** The client URLs, comma-separated, as --datastore-endpoint takes them. */
  endpoint: string;
  /** Kills member i with SIGKILL and waits for it to exit. */
  kill(i: number): Promise<void>;
  /** Starts member i again with its data. */
  restart(i: number): void;
  /** Kills every member and removes the data. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    return ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

export async function startEtcd(size = 1): Promise<EtcdCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-etcd-'));
  const token = path.basename(dir);
  const specs: Array<{ name: string; client: number; peer: number }> = [];
  for (let i = 0; i < size; i++) specs.push({ name: `m${i}`, client: await freePort(), peer: await freePort() });
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const members: EtcdMember[] = specs.map((s) => ({ name: s.name, clientUrl: `http://127.0.0.1:${s.client}` }));

  const launch = (i: number): void => {
    const s = specs[i];
    const args = [
      `--name=${s.name}`,
      `--data-dir=${path.join(dir, s.name)}`,
      `--listen-client-urls=http://127.0.0.1:${s.client}`,
      `--advertise-client-urls=http://127.0.0.1:${s.client}`,
      `--listen-peer-urls=http://127.0.0.1:${s.peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${s.peer}`,
      `--initial-cluster=${initialCluster}`,
      `--initial-cluster-token=${token}`,
      '--initial-cluster-state=new',
      // Fast elections so fault tests take seconds, not tens of seconds.
      '--heartbeat-interval=50',
      '--election-timeout=500',
      '--logger=zap',
      '--log-level=error',
    ];
    const log = fs.openSync(path.join(dir, `${s.name}.log`), 'a');
    members[i].process = spawn('/usr/bin/etcd', args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
  };

  const kill = async (i: number): Promise<void> => {
    const child = members[i].process;
    members[i].process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  const destroy = async (): Promise<void> => {
    for (let i = 0; i < size; i++) await kill(i);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  for (let i = 0; i < size; i++) launch(i);
  // A test process that dies without its after hooks must still not leave etcd running.
  process.once('exit', () => members.forEach((m) => m.process?.kill('SIGKILL')));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const states = await Promise.all(members.map((m) => healthy(m.clientUrl)));
    if (states.every(Boolean)) break;
    if (Date.now() > deadline || members.some((m) => m.process?.exitCode !== null)) {
      const logs = specs.map((s) => fs.readFileSync(path.join(dir, `${s.name}.log`), 'utf8')).join('\n');
      await destroy();
      throw new Error(`etcd did not become healthy:\n${logs.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { members, endpoint: members.map((m) => m.clientUrl).join(','), kill, restart: launch, destroy };
}
