// Image builds and pulls, as users run them (bin/skiff, the bundle scripts/setup builds):
// - a 10-instruction Dockerfile built cold (--no-cache) and fully cached, beside Debian's buildah
//   (`buildah bud --layers`, its own --root/--runroot) building the same Dockerfile from the same base;
// - pulling a 50 MB image from a local distribution registry (docker-registry on 127.0.0.1) into a
//   fresh engine root, beside `skopeo copy` of the same image to an OCI layout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, type Benchmark, type BenchRow } from './harness.js';

const SKIFF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/skiff');
const RUNS = 3;
const BIG_MB = 50;

const DOCKERFILE = [
  'FROM busybox',
  'ENV APP=/app',
  'WORKDIR /app',
  'COPY a.txt /app/a.txt',
  'RUN echo one > one.txt',
  'RUN echo two > two.txt',
  'LABEL purpose=bench',
  'EXPOSE 8080',
  'USER nobody',
  'CMD ["cat", "/app/a.txt"]',
].join('\n');

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
}

function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  run(cmd, args);
  return (performance.now() - t0) / 1000;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`timed out waiting for ${url}`);
}

function cleanupRoot(root: string): void {
  const ids = spawnSync(SKIFF, ['--root', root, 'ps', '-aq'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  if (ids.length) spawnSync(SKIFF, ['--root', root, 'rm', '-f', ...ids]);
}

export const benchmark: Benchmark = {
  name: 'build',
  description: `10-instruction build cold/cached vs buildah bud; ${BIG_MB} MB pull from a local registry vs skopeo copy`,
  async run(): Promise<BenchRow[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-bench-build-'));
    const root = path.join(dir, 'skiff');
    const broot = ['--root', path.join(dir, 'buildah'), '--runroot', path.join(dir, 'buildah-run')];
    const ctx = path.join(dir, 'ctx');
    fs.mkdirSync(ctx);
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), DOCKERFILE);
    fs.writeFileSync(path.join(ctx, 'a.txt'), 'hello\n');
    let registry: ReturnType<typeof spawn> | undefined;
    try {
      // Both builders start from the same offline busybox image.
      run(SKIFF, ['--root', root, 'save', '-o', path.join(dir, 'busybox.tar'), 'busybox']);
      run('buildah', [...broot, 'pull', '-q', `docker-archive:${path.join(dir, 'busybox.tar')}`]);

      const skiffBuild = (extra: string[]) => timed(SKIFF, ['--root', root, 'build', '-q', ...extra, '-t', 'bench', ctx]);
      const buildahBuild = (extra: string[]) => timed('buildah', [...broot, 'bud', '-q', '--pull-never', '--network', 'host', '--layers', ...extra, '-t', 'bench', ctx]);
      const cold = { skiff: [] as number[], buildah: [] as number[] };
      const cached = { skiff: [] as number[], buildah: [] as number[] };
      for (let i = 0; i < RUNS; i++) {
        cold.skiff.push(skiffBuild(['--no-cache']));
        cached.skiff.push(skiffBuild([]));
        cold.buildah.push(buildahBuild(['--no-cache']));
        cached.buildah.push(buildahBuild([]));
      }

      // A 50 MB layer of random bytes, pushed to distribution, pulled back into a fresh root.
      const port = await freePort();
      const config = path.join(dir, 'registry.yml');
      fs.writeFileSync(config, `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'registry')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
      registry = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: 'ignore' });
      await waitHttp(`http://127.0.0.1:${port}/v2/`);
      const big = path.join(dir, 'big');
      fs.mkdirSync(big);
      fs.writeFileSync(path.join(big, 'Dockerfile'), `FROM busybox\nRUN dd if=/dev/urandom of=/big.bin bs=1M count=${BIG_MB} 2>/dev/null\n`);
      const name = `127.0.0.1:${port}/bench/big:v1`;
      run(SKIFF, ['--root', root, 'build', '-q', '-t', name, big]);
      run(SKIFF, ['--root', root, 'push', name]);
      const mb = (fs.readdirSync(path.join(dir, 'registry', 'docker', 'registry', 'v2', 'blobs', 'sha256'), { recursive: true }) as string[])
        .filter((p) => p.endsWith('/data'))
        .reduce((n, p) => n + fs.statSync(path.join(dir, 'registry', 'docker', 'registry', 'v2', 'blobs', 'sha256', p)).size, 0) / 1e6;
      const pulls: number[] = [];
      const copies: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const fresh = path.join(dir, `pull-${i}`);
        pulls.push(mb / timed(SKIFF, ['--root', fresh, 'pull', '-q', name]));
        cleanupRoot(fresh);
        copies.push(mb / timed('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${name}`, `oci:${path.join(dir, `oci-${i}`)}:big`]));
      }
      return [
        { metric: 'build 10 instructions, cold', unit: 's', skiff: median(cold.skiff), peer: median(cold.buildah), peerName: 'buildah bud --layers', lowerIsBetter: true },
        { metric: 'build 10 instructions, cached', unit: 's', skiff: median(cached.skiff), peer: median(cached.buildah), peerName: 'buildah bud --layers', lowerIsBetter: true },
        { metric: `pull ${BIG_MB} MB image, local registry`, unit: 'MB/s', skiff: median(pulls), peer: median(copies), peerName: 'skopeo copy (no unpack)', lowerIsBetter: false },
      ];
    } finally {
      if (registry?.pid && registry.exitCode === null) process.kill(registry.pid, 'SIGKILL');
      cleanupRoot(root);
      spawnSync('buildah', [...broot, 'rm', '--all']);
      spawnSync('buildah', [...broot, 'rmi', '--all', '--force']);
      spawnSync('umount', ['-R', path.join(dir, 'buildah')]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
