// Test fixtures shared by the registry tests: a directory blob store, free ports, and Debian's
// docker-registry (distribution 2.8) started on 127.0.0.1 with its own storage, killed by pid.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import bcrypt from 'bcryptjs';
import type { BlobStore } from '../../src/registry/index.js';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `skiff-${prefix}-`));
}

export function dirStore(dir: string): BlobStore & { put(data: Buffer): string } {
  fs.mkdirSync(dir, { recursive: true });
  const p = (digest: string) => path.join(dir, digest.replace('sha256:', ''));
  return {
    has: (d) => fs.existsSync(p(d)),
    path: p,
    tempPath: () => path.join(dir, `.tmp-${crypto.randomBytes(6).toString('hex')}`),
    adopt: (file, d) => fs.renameSync(file, p(d)),
    put(data: Buffer) {
      const d = `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
      fs.writeFileSync(p(d), data);
      return d;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export function writeHtpasswd(file: string, user: string, password: string): void {
  fs.writeFileSync(file, `${user}:${bcrypt.hashSync(password, 5).replace(/^\$2[ab]\$/, '$2y$')}\n`);
}

async function waitForHttp(url: string, child: ChildProcess, deadlineMs = 15000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before serving ${url}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`timed out waiting for ${url}`);
}

export interface DistributionRegistry {
  host: string;
  stop(): void;
}

/** Starts /usr/bin/docker-registry on a free loopback port with a temp storage dir. */
export async function startDistribution(dir: string, htpasswd?: string): Promise<DistributionRegistry> {
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...(htpasswd ? ['auth:', '  htpasswd:', '    realm: test-realm', `    path: ${htpasswd}`] : []),
  ].join('\n');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'config.yml');
  fs.writeFileSync(file, config + '\n');
  const child = spawn('/usr/bin/docker-registry', ['serve', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForHttp(`http://127.0.0.1:${port}/v2/`, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return {
    host: `127.0.0.1:${port}`,
    stop: () => {
      if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    },
  };
}
