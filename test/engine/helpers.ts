// Shared by the engine's integration tests: a private engine root per test file, the CLI run from
// sources against it, and a teardown that removes every container, mount and cgroup the root made.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/engine/index.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SKIFF = path.join(REPO, 'bin/skiff');

export function makeRoot(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `skiff-${tag}-`));
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const ENV = { ...process.env, SKIFF_DEV: '1' };

export function skiffSync(root: string, args: string[], input?: string): Result {
  const r: SpawnSyncReturns<string> = spawnSync(SKIFF, ['--root', root, ...args], { encoding: 'utf8', env: ENV, input, timeout: 120000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function skiff(root: string, args: string[], input?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(SKIFF, ['--root', root, ...args], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs skiff and fails the test with its stderr unless it exits 0; returns trimmed stdout. */
export function ok(root: string, args: string[], input?: string): string {
  const r = skiffSync(root, args, input);
  if (r.code !== 0) throw new Error(`skiff ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

export async function destroyRoot(root: string): Promise<void> {
  if (!fs.existsSync(root)) return;
  const engine = new Engine({ root });
  try {
    await engine.removeAll();
  } finally {
    engine.close();
  }
  fs.rmSync(root, { recursive: true, force: true });
}

export async function eventually<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
