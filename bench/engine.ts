// The container engine end to end as users run it (bin/skiff, the built bundle): `run --rm busybox true`
// median wall time against Debian's podman (runc, --network none, nofile 1024, nproc 4096 since podman's
// default nproc exceeds this sandbox's hard limit) on its own root, and
// against the floor for a Node.js CLI (`node -e 0` plus bare `runc run` on the same rootfs); then 100
// `run -d` started at once (total time, memory per container). Targets from issue 4. The same run on the
// default bridge network is timed for skiff alone.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine/index.js';
import { median, type Benchmark, type BenchRow } from './harness.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SKIFF = path.join(REPO, 'bin/skiff');
const RUNS = 15;
const PARALLEL = 100;

function timeSync(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** An OCI bundle for bare runc: the busybox layer as read-only root, `runc spec` defaults, `true`. */
function bareBundle(dir: string, rootfs: string, cgroupParent: string): void {
  fs.mkdirSync(dir, { recursive: true });
  spawnSync('runc', ['spec', '--bundle', dir]);
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  spec.process.terminal = false;
  spec.process.args = ['true'];
  spec.root = { path: rootfs, readonly: true };
  spec.linux.cgroupsPath = `${cgroupParent}/bare`;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
}

/** podman leaves its overlay dir mounted on itself; nothing under the bench dir may stay mounted. */
function unmountUnder(dir: string): void {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(`${dir}/`));
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
}

export const benchmark: Benchmark = {
  name: 'engine',
  description: 'skiff run --rm busybox true vs podman and vs node + bare runc; 100 parallel run -d',
  async run(): Promise<BenchRow[]> {
    if (!fs.existsSync(path.join(REPO, 'dist/main.cjs'))) throw new Error('dist/main.cjs is missing: run scripts/setup (npm run build) first');
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-bench-engine-'));
    const root = path.join(work, 'root');
    const rows: BenchRow[] = [];
    const engine = new Engine({ root });
    try {
      const image = await engine.images.ensureBusybox();
      const rootfs = engine.snapshots.layerDir(image.chain[0]);
      const bundle = path.join(work, 'bare');
      bareBundle(bundle, rootfs, engine.paths.cgroupParent);
      const pRoot = path.join(work, 'podman-root');
      const pRun = path.join(work, 'podman-runroot');
      const podman = ['--root', pRoot, '--runroot', pRun, '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
      const tar = spawnSync('tar', ['-C', rootfs, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
      const imported = spawnSync('podman', [...podman, 'import', '-', 'localhost/bench-busybox'], { input: tar.stdout, encoding: 'utf8' });
      if (imported.status !== 0) process.stderr.write(`podman import failed, no podman figure: ${imported.stderr}\n`);
      let n = 0;
      // Round-robin, so a burst of load on this shared machine hits every contender alike.
      const contenders: Record<string, () => number> = {
        skiff: () => timeSync(SKIFF, ['--root', root, 'run', '--rm', '--network', 'none', 'busybox', 'true']),
        runc: () => timeSync('runc', ['--root', path.join(work, 'runc'), 'run', '--bundle', bundle, `bench-bare-${n++}`]),
        node: () => timeSync(process.execPath, ['-e', '0']),
        ...(imported.status === 0
          ? { podman: () => timeSync('podman', [...podman, 'run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096', 'localhost/bench-busybox', 'true']) }
          : {}),
      };
      const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
      for (const fn of Object.values(contenders)) fn();
      for (let i = 0; i < RUNS; i++) for (const [k, fn] of Object.entries(contenders)) samples[k].push(fn());
      const skiffMs = median(samples.skiff);
      const runcMs = median(samples.runc);
      const nodeMs = median(samples.node);
      const podmanMs = samples.podman ? median(samples.podman) : NaN;
      const floor = runcMs + nodeMs;
      spawnSync('podman', [...podman, 'system', 'reset', '--force'], { stdio: 'ignore' });
      unmountUnder(work);

      rows.push({ metric: 'run --rm busybox true (median)', unit: 'ms', skiff: skiffMs, peer: podmanMs, peerName: 'podman', lowerIsBetter: true, target: '<= 0.85x podman' });
      rows.push({ metric: 'run --rm busybox true vs floor', unit: 'ms', skiff: skiffMs, peer: floor, peerName: `node -e 0 (${nodeMs.toFixed(0)}) + bare runc (${runcMs.toFixed(0)})`, lowerIsBetter: true, target: '<= 1.25x floor' });

      // docker run's default network, skiff alone: podman's would program its own bridge and iptables
      // rules outside skiff's SKIFF-* chains (DESIGN.md §5).
      const bridged = Array.from({ length: RUNS }, () => timeSync(SKIFF, ['--root', root, 'run', '--rm', 'busybox', 'true']));
      rows.push({ metric: 'run --rm busybox true, default bridge (median)', unit: 'ms', skiff: median(bridged), lowerIsBetter: true });

      const t0 = Date.now();
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          new Promise<number>((resolve) => {
            const child = spawn(SKIFF, ['--root', root, 'run', '-d', '--network', 'none', '--name', `bench${i}`, 'busybox', 'sleep', '600'], { stdio: 'ignore' });
            child.on('close', (code) => resolve(code ?? -1));
          }),
        ),
      );
      const totalS = (Date.now() - t0) / 1000;
      const running = engine.containers.list().filter((c) => c.State.Running);
      const perContainerMb = running.reduce((sum, c) => sum + rssMb(c.ConmonPid) + rssMb(c.State.Pid), 0) / Math.max(1, running.length);
      const failed = results.filter((c) => c !== 0).length;
      rows.push({ metric: `${PARALLEL} parallel run -d (total)${failed ? `, ${failed} failed` : ''}`, unit: 's', skiff: totalS, lowerIsBetter: true });
      rows.push({ metric: 'RSS per running container (its conmon + its process)', unit: 'MiB', skiff: perContainerMb, lowerIsBetter: true });
    } finally {
      await engine.removeAll();
      engine.close();
      unmountUnder(work);
      fs.rmSync(work, { recursive: true, force: true });
    }
    return rows;
  },
};
