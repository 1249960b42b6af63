// Starts a real etcd (the Debian etcd-server binary) for tests and benchmarks: 1 or more members on
// free loopback ports, data in a temp dir, every process stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EtcdStore } from '../../src/storage/etcd/etcd-store.js';

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
  /** Waits until the given members (default all) serve linearizable reads. */
  waitHealthy(indices?: number[], timeoutMs?: number): Promise<void>;
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

export interface EtcdTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Healthy = this member serves a linearizable read, so the cluster has a leader. */
async function healthy(clientUrl: string, tls?: EtcdTls): Promise<boolean> {
  const store = new EtcdStore({ endpoints: [clientUrl], requestTimeoutMs: 1000, ...tls });
  try {
    await store.currentRevision();
    return true;
  } catch {
    return false;
  } finally {
    await store.close();
  }
}

/**
 * Starts `size` members. With `tls`, clients must speak TLS and present a certificate signed by the
 * CA (the same files serve as the server's and the client's certificate).
 */
export async function startEtcd(size = 1, tls?: EtcdTls): Promise<EtcdCluster> {
  const scheme = tls ? 'https' : 'http';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-etcd-'));
  const token = path.basename(dir);
  const specs: Array<{ name: string; client: number; peer: number }> = [];
  for (let i = 0; i < size; i++) specs.push({ name: `m${i}`, client: await freePort(), peer: await freePort() });
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const members: EtcdMember[] = specs.map((s) => ({ name: s.name, clientUrl: `${scheme}://127.0.0.1:${s.client}` }));

  const launch = (i: number): void => {
    const s = specs[i];
    const args = [
      `--name=${s.name}`,
      `--data-dir=${path.join(dir, s.name)}`,
      `--listen-client-urls=${members[i].clientUrl}`,
      `--advertise-client-urls=${members[i].clientUrl}`,
      ...(tls ? [`--cert-file=${tls.certFile}`, `--key-file=${tls.keyFile}`, `--trusted-ca-file=${tls.caFile}`, '--client-cert-auth'] : []),
      `--listen-peer-urls=http://127.0.0.1:${s.peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${s.peer}`,
      `--initial-cluster=${initialCluster}`,
      `--initial-cluster-token=${token}`,
      '--initial-cluster-state=new',
      // Fast elections so fault tests take seconds, not tens of seconds.
      // etcd 3.4 before 3.4.31 cannot be asked for progress safely; have it send its own often.
      '--experimental-watch-progress-notify-interval=500ms',
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
  const waitHealthy = async (indices = members.map((_, i) => i), timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(indices.map((i) => healthy(members[i].clientUrl, tls)));
      if (states.every(Boolean)) return;
      if (Date.now() > deadline || indices.some((i) => members[i].process?.exitCode !== null)) {
        const logs = specs.map((s) => fs.readFileSync(path.join(dir, `${s.name}.log`), 'utf8')).join('\n');
        throw new Error(`etcd members ${indices.join(',')} did not become healthy:\n${logs.slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    await waitHealthy();
  } catch (err) {
    await destroy();
    throw err;
  }
  return { members, endpoint: members.map((m) => m.clientUrl).join(','), kill, restart: launch, waitHealthy, destroy };
}
