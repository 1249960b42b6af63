// Runs the skiff CLI from the sources against a test's own engine root, and writes build contexts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SKIFF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/skiff');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function skiff(root: string, args: string[], opts: { input?: Buffer | string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(SKIFF, ['--root', root, ...args], {
      env: { ...process.env, SKIFF_DEV: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** skiff that must succeed; returns stdout. */
export async function ok(root: string, args: string[], opts: { input?: Buffer | string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await skiff(root, args, opts);
  if (r.code !== 0) throw new Error(`skiff ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `skiff-${prefix}-`));
}

export function writeContext(dir: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Removes every container of the root (by the CLI, so mounts and conmons go), then the root. */
export async function cleanupRoot(root: string): Promise<void> {
  const ids = (await skiff(root, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
  if (ids.length) await skiff(root, ['rm', '-f', ...ids]);
  fs.rmSync(root, { recursive: true, force: true });
}

/** The ` ---> …` and `Step` lines of a transcript, for comparing cache behaviour. */
export function cacheMarks(transcript: string): string[] {
  const marks: string[] = [];
  let step = '';
  for (const line of transcript.split('\n')) {
    const m = /^Step (\d+)\/\d+ : /.exec(line);
    if (m) step = m[1];
    if (line === ' ---> Using cache') marks.push(`${step}:cache`);
    if (line.startsWith(' ---> Running in')) marks.push(`${step}:run`);
  }
  return marks;
}
