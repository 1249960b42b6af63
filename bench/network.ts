// Engine networking (issue 5): TCP throughput of an HTTP download from a container through a published
// port on 127.0.0.1 (kernel DNAT) against the same download from the container's IP directly; and the
// request latency container → container by name on a user network against the same request over the
// server container's own loopback (the floor: busybox wget's process start plus httpd).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine/index.js';
import { median, type Benchmark, type BenchRow } from './harness.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SKIFF = path.join(REPO, 'bin/skiff');
const FILE_MB = 64;
const DOWNLOADS = 5;
const REQUESTS = 500;

function skiff(root: string, args: string[]): string {
  // SKIFF_DEV: the sources, so the bench measures this tree even when dist/ is stale.
  const r = spawnSync(SKIFF, ['--root', root, ...args], { encoding: 'utf8', env: { ...process.env, SKIFF_DEV: '1' } });
  if (r.status !== 0) throw new Error(`skiff ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Downloads the file once and returns MB/s. */
function download(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let bytes = 0;
    http.get({ host, port, path: '/big' }, (res) => {
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => {
        if (bytes !== FILE_MB * 2 ** 20) reject(new Error(`short download: ${bytes} bytes`));
        else resolve(bytes / 2 ** 20 / (Number(process.hrtime.bigint() - t0) / 1e9));
      });
    }).on('error', reject);
  });
}

async function throughput(host: string, port: number): Promise<number> {
  for (let i = 0; ; i++) {
    try {
      await download(host, port);
      break;
    } catch (err) {
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const runs: number[] = [];
  for (let i = 0; i < DOWNLOADS; i++) runs.push(await download(host, port));
  return median(runs);
}

/** Mean ms per `wget` of url, timed inside the container by /proc/uptime (busybox date has no %N). */
function wgetLatency(root: string, container: string, url: string): number {
  const script = `s=$(cut -d' ' -f1 /proc/uptime); i=0; while [ $i -lt ${REQUESTS} ]; do wget -q -O /dev/null ${url} || exit 1; i=$((i+1)); done; e=$(cut -d' ' -f1 /proc/uptime); awk "BEGIN { print ($e - $s) * 1000 / ${REQUESTS} }"`;
  return Number(skiff(root, ['exec', container, 'sh', '-c', script]));
}

export const benchmark: Benchmark = {
  name: 'network',
  description: `HTTP download of ${FILE_MB} MiB through a published 127.0.0.1 port vs the container IP; wget latency between containers on a user network vs the container's loopback`,
  async run(): Promise<BenchRow[]> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-bench-net-'));
    const tag = crypto.randomBytes(3).toString('hex');
    try {
      const port = await freePort();
      const httpd = ['sh', '-c', `mkdir -p /www && dd if=/dev/zero of=/www/big bs=1M count=${FILE_MB} 2>/dev/null && echo ok > /www/index.html && exec httpd -f -p 80 -h /www`];
      skiff(root, ['network', 'create', `bn${tag}`]);
      skiff(root, ['run', '-d', '--name', 'srv', '--network', `bn${tag}`, '--tmpfs', '/www', '-p', `127.0.0.1:${port}:80`, 'busybox', ...httpd]);
      skiff(root, ['run', '-d', '--name', 'cli', '--network', `bn${tag}`, 'busybox', 'sleep', '600']);
      const ip = skiff(root, ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'srv']);
      const published = await throughput('127.0.0.1', port);
      const direct = await throughput(ip, 80);
      const byName = wgetLatency(root, 'cli', 'http://srv/');
      const loopback = wgetLatency(root, 'srv', 'http://127.0.0.1/');
      return [
        { metric: 'download via published 127.0.0.1 port (DNAT) vs container IP', unit: 'MiB/s', skiff: published, peer: direct, peerName: 'container IP', lowerIsBetter: false },
        { metric: 'wget latency container → container by name vs loopback', unit: 'ms', skiff: byName, peer: loopback, peerName: 'container loopback', lowerIsBetter: true },
      ];
    } finally {
      const engine = new Engine({ root });
      try {
        await engine.removeAll();
      } finally {
        engine.close();
      }
      fs.rmSync(root, { recursive: true, force: true, maxRetries: 10 });
    }
  },
};
