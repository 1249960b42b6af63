// The build context: a directory (or a tar read from stdin, unpacked to a temp dir) filtered by its
// .dockerignore, the Dockerfile found in it (or given with -f), and docker's "Sending build context"
// size, which is the size of the tar stream the docker CLI would upload.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PatternMatcher, readDockerignore } from '../dockerfile/dockerignore.js';

export class BuildContextError extends Error {}

export interface BuildContext {
  /** Absolute directory holding the context files. */
  root: string;
  /** Whether a context-relative path is hidden by .dockerignore. */
  excluded(rel: string): boolean;
  /** .dockerignore has `!` exceptions, so excluded directories may still hold included files. */
  hasExceptions: boolean;
  /** Removes a temp dir made for a context read from stdin. */
  dispose(): void;
}

function matcherFor(root: string): PatternMatcher {
  const file = path.join(root, '.dockerignore');
  let patterns: string[] = [];
  try {
    patterns = readDockerignore(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    return new PatternMatcher(patterns);
  } catch (err) {
    throw new BuildContextError(`failed to parse .dockerignore: ${(err as Error).message}`);
  }
}

export function directoryContext(dir: string): BuildContext {
  const root = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    throw new BuildContextError(`unable to prepare context: path "${dir}" not found`);
  }
  if (!st.isDirectory()) throw new BuildContextError(`unable to prepare context: path "${dir}" is not a directory`);
  const matcher = matcherFor(root);
  return { root, excluded: (rel) => matcher.matches(rel), hasExceptions: matcher.hasExceptions, dispose: () => undefined };
}

function isTar(data: Buffer): boolean {
  const gzip = data[0] === 0x1f && data[1] === 0x8b;
  const bzip = data.subarray(0, 3).toString('latin1') === 'BZh';
  const xz = data.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  const ustar = data.length > 262 && data.subarray(257, 262).toString('latin1') === 'ustar';
  return gzip || bzip || xz || ustar;
}

/**
 * `docker build -`: stdin is either a tar of the context (possibly compressed) or a bare Dockerfile
 * with an empty context. Returns the context and, for the bare case, the Dockerfile text.
 */
export function stdinContext(data: Buffer): { context: BuildContext; dockerfile?: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-build-context-'));
  const dispose = (): void => fs.rmSync(root, { recursive: true, force: true });
  if (!isTar(data)) {
    return { context: { root, excluded: () => false, hasExceptions: false, dispose }, dockerfile: data.toString('utf8') };
  }
  const res = spawnSync('tar', ['-x', '--no-same-owner', '-C', root, '-f', '-'], { input: data });
  if (res.status !== 0) {
    dispose();
    throw new BuildContextError(`unable to unpack the build context from stdin: ${res.stderr.toString().trim()}`);
  }
  const matcher = matcherFor(root);
  return { context: { root, excluded: (rel) => matcher.matches(rel), hasExceptions: matcher.hasExceptions, dispose } };
}

/** Reads the Dockerfile: `-f` (relative to the working directory) or `<context>/Dockerfile`. */
export function readDockerfile(context: BuildContext, file?: string): string {
  const target = file ? path.resolve(file) : path.join(context.root, 'Dockerfile');
  try {
    return fs.readFileSync(target, 'utf8');
  } catch {
    const shown = file ?? path.join(context.root, 'Dockerfile');
    throw new BuildContextError(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${shown}: no such file or directory`);
  }
}

/** Every file and directory the context sends, context-relative, .dockerignore applied. */
export function contextEntries(context: BuildContext): Array<{ rel: string; stat: fs.Stats }> {
  const out: Array<{ rel: string; stat: fs.Stats }> = [];
  const walk = (relDir: string): void => {
    const names = fs.readdirSync(path.join(context.root, relDir)).sort();
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const stat = fs.lstatSync(path.join(context.root, rel));
      const skip = context.excluded(rel);
      if (!skip) out.push({ rel, stat });
      // An excluded directory is only worth walking when an exception might re-include something in it.
      if (stat.isDirectory() && (!skip || context.hasExceptions)) walk(rel);
    }
  };
  walk('');
  return out;
}

/** The tar stream size of the context: a 512-byte header per entry, data padded to 512, 1024 trailer. */
export function contextSize(context: BuildContext): number {
  let size = 1024;
  for (const { stat } of contextEntries(context)) {
    size += 512;
    if (stat.isFile()) size += Math.ceil(stat.size / 512) * 512;
  }
  return size;
}

