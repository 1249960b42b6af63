// The Docker Engine API as docker's own CLI uses it: `docker run --rm busybox true` and `docker ps`
// through `skiff system service`, against the same docker CLI talking to Debian's podman API service
// (`podman system service`, runc, cgroupfs, no events) on its own root. Both sides run with
// --network none and the engine bench's ulimits; rounds alternate so load bursts hit both alike.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildCli, SKIFF } from '../test/engine/helpers.js';
import { Engine } from '../src/engine/index.js';
import { median, type Benchmark, type BenchRow } from './harness.js';

const RUNS = 15;
const IMAGE = 'localhost/bench-busybox:latest';

function timeDocker(socket: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(path.dirname(socket), 'docker-config') }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

async function listening(socket: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`service for ${socket} exited (${child.exitCode})`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(socket, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${socket}`);
}

/** podman leaves its overlay dir mounted on itself; nothing under the bench dir may stay mounted. */
function unmountUnder(dir: string): void {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(`${dir}/`));
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
}

export const benchmark: Benchmark = {
  name: 'dockerapi',
  description: 'docker CLI → skiff system service vs docker CLI → podman system service: run --rm busybox true, ps',
  async run(): Promise<BenchRow[]> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-bench-dockerapi-'));
    fs.mkdirSync(path.join(work, 'docker-config'));
    const root = path.join(work, 'root');
    const skiffSocket = path.join(work, 'skiff.sock');
    const podmanSocket = path.join(work, 'podman.sock');
    const children: ChildProcess[] = [];
    try {
      await buildCli(path.join(work, 'cli'));
      const engine = new Engine({ root });
      const image = await engine.images.ensureBusybox();
      const rootfs = engine.snapshots.layerDir(image.chain[0]);
      // One explicit local name on both sides: a short name could send podman to a registry.
      engine.images.tag(image.id, IMAGE);
      engine.close();
      const podman = ['--root', path.join(work, 'podman-root'), '--runroot', path.join(work, 'podman-runroot'), '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
      const tar = spawnSync('tar', ['-C', rootfs, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
      const imported = spawnSync('podman', [...podman, 'import', '-', IMAGE], { input: tar.stdout, encoding: 'utf8' });
      const skiffService = spawn(SKIFF, ['--root', root, 'system', 'service', '--socket', skiffSocket], { stdio: 'ignore' });
      children.push(skiffService);
      await listening(skiffSocket, skiffService);
      const sockets: Record<string, string> = { skiff: skiffSocket };
      if (imported.status === 0) {
        const podmanService = spawn('podman', [...podman, 'system', 'service', '--time', '0', `unix://${podmanSocket}`], { stdio: 'ignore' });
        children.push(podmanService);
        await listening(podmanSocket, podmanService);
        sockets.podman = podmanSocket;
      } else process.stderr.write(`podman import failed, no podman figure: ${imported.stderr}\n`);
      const runArgs = ['run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096', IMAGE, 'true'];
      const times: Record<string, { run: number[]; ps: number[] }> = {};
      for (const name of Object.keys(sockets)) {
        times[name] = { run: [], ps: [] };
        timeDocker(sockets[name], runArgs);
      }
      for (let i = 0; i < RUNS; i++) {
        for (const [name, socket] of Object.entries(sockets)) {
          times[name].run.push(timeDocker(socket, runArgs));
          times[name].ps.push(timeDocker(socket, ['ps', '-a']));
        }
      }
      const peer = times.podman;
      const load = os.loadavg()[0].toFixed(1);
      return [
        { metric: `docker run --rm busybox true, median of ${RUNS} (load ${load})`, unit: 'ms', skiff: median(times.skiff.run), peer: peer && median(peer.run), peerName: 'podman service', lowerIsBetter: true },
        { metric: `docker ps -a, median of ${RUNS}`, unit: 'ms', skiff: median(times.skiff.ps), peer: peer && median(peer.ps), peerName: 'podman service', lowerIsBetter: true },
      ];
    } finally {
      for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
      unmountUnder(work);
      const engine = new Engine({ root });
      await engine.removeAll().catch(() => undefined);
      engine.close();
      fs.rmSync(work, { recursive: true, force: true, maxRetries: 3 });
    }
  },
};
