// Shared by the engine's integration tests: a private engine root per test file, the CLI run from
// sources against it, and a teardown that removes every container, mount and cgroup the root made.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/engine/index.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The CLI under test: the current sources bundled once per test file into a private dir, as
 * scripts/build.mjs bundles them for bin/skiff (a bundle starts several times faster than transpiling
 * on every call, and dist/ may be stale or being rebuilt).
 */
export let SKIFF = '';

export async function buildCli(dir: string): Promise<void> {
  const { buildCli: bundle } = await import('../../scripts/build.mjs');
  const out = path.join(dir, 'cli');
  fs.mkdirSync(out, { recursive: true });
  // Bare imports (better-sqlite3, …) resolve by walking up from the bundle, so point that walk at ours.
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(out, 'node_modules'));
  await bundle(out);
  const bin = path.join(out, 'skiff');
  fs.writeFileSync(bin, `#!/bin/sh\nexec ${process.execPath} ${path.join(out, 'main.cjs')} "$@"\n`, { mode: 0o755 });
  SKIFF = bin;
}

/** A fresh engine root with the CLI bundled beside it. */
export async function makeRoot(tag: string): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `skiff-${tag}-`));
  if (!SKIFF) await buildCli(fs.mkdtempSync(path.join(os.tmpdir(), `skiff-${tag}-cli-`)));
  return root;
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const ENV = process.env;

export function skiffSync(root: string, args: string[], input?: string): Result {
  const r: SpawnSyncReturns<string> = spawnSync(SKIFF, ['--root', root, ...args], { encoding: 'utf8', env: ENV, input, timeout: 120000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function skiff(root: string, args: string[], input?: string | Buffer): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(SKIFF, ['--root', root, ...args], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The command may exit before reading its stdin (EPIPE); its exit code and output tell what happened.
    child.stdin.on('error', () => undefined);
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
  if (SKIFF) fs.rmSync(path.dirname(path.dirname(SKIFF)), { recursive: true, force: true });
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
