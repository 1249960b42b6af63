// docker diff / commit / export / import / cp.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commitContainer, containerChanges, exportContainer, importTarball, scopedPath, type Engine } from '../../engine/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagList, flagString, parseFlags } from '../flags.js';
import { CliError, withEngine } from './common.js';

export async function diff(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, []);
  if (flags.positionals.length !== 1) throw new CliError(`skiff: 'diff' requires exactly 1 argument.\nSee 'skiff diff --help'.`, 1);
  return withEngine(globals, async (engine) => {
    const c = engine.containers.get(flags.positionals[0]);
    process.stdout.write(containerChanges(engine.containers, engine.snapshots, c).map((ch) => `${ch.kind} ${ch.path}\n`).join(''));
    return 0;
  });
}

export async function commit(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'author', short: 'a', kind: 'string' },
    { name: 'message', short: 'm', kind: 'string' },
    { name: 'change', short: 'c', kind: 'list' },
    { name: 'pause', short: 'p', kind: 'bool' },
  ]);
  const [ref, repo] = flags.positionals;
  if (!ref || flags.positionals.length > 2) throw new CliError(`skiff: 'commit' requires at least 1 and at most 2 arguments.\nSee 'skiff commit --help'.`, 1);
  return withEngine(globals, async (engine) => {
    const image = await commitContainer(engine, ref, {
      repo,
      author: flagString(flags, 'author'),
      message: flagString(flags, 'message'),
      changes: flagList(flags, 'change'),
      pause: flags.flags.has('pause') ? flagBool(flags, 'pause') : true,
    });
    process.stdout.write(`${image.id}\n`);
    return 0;
  });
}

export async function exportVerb(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'output', short: 'o', kind: 'string' }]);
  if (flags.positionals.length !== 1) throw new CliError(`skiff: 'export' requires exactly 1 argument.\nSee 'skiff export --help'.`, 1);
  const output = flagString(flags, 'output');
  if (!output && process.stdout.isTTY) throw new CliError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
  return withEngine(globals, async (engine) => {
    const out = output ? fs.createWriteStream(output) : process.stdout;
    await exportContainer(engine.containers, flags.positionals[0], out);
    if (output) await new Promise<void>((r) => (out as fs.WriteStream).end(r));
    return 0;
  });
}

async function stdinToFile(): Promise<{ file: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-import-'));
  const file = path.join(dir, 'input.tar');
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(file);
    process.stdin.pipe(out);
    out.on('finish', () => resolve());
    out.on('error', reject);
  });
  return { file, dir };
}

export async function importVerb(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'change', short: 'c', kind: 'list' },
    { name: 'message', short: 'm', kind: 'string' },
    { name: 'platform', kind: 'string' },
  ]);
  const [source, repo] = flags.positionals;
  if (!source) throw new CliError(`skiff: 'import' requires at least 1 argument.\nSee 'skiff import --help'.`, 1);
  if (/^https?:\/\//.test(source)) throw new CliError('Error response from daemon: importing from a URL is not supported; download the file and import it', 1);
  const staged = source === '-' ? await stdinToFile() : undefined;
  try {
    return await withEngine(globals, async (engine) => {
      const image = await importTarball(engine.images, staged?.file ?? source, { repo, message: flagString(flags, 'message'), changes: flagList(flags, 'change') });
      process.stdout.write(`${image.id}\n`);
      return 0;
    });
  } finally {
    if (staged) fs.rmSync(staged.dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], stdio: Array<'inherit' | 'pipe' | 'ignore'>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: stdio as ['inherit', 'inherit', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new CliError(`Error response from daemon: ${err.trim() || `${cmd} exited ${code}`}`, 1))));
  });
}

function splitContainerPath(arg: string): [string, string] | undefined {
  if (arg.startsWith('/') || arg.startsWith('.')) return undefined;
  const i = arg.indexOf(':');
  return i > 0 ? [arg.slice(0, i), arg.slice(i + 1)] : undefined;
}

/**
 * Copies SRC to DEST docker's way: a directory lands inside an existing directory DEST (or becomes
 * DEST), a file lands in DEST if DEST is a directory; `/.` at the end of SRC copies the contents.
 */
async function copyPath(src: string, dest: string, srcShown: string, destShown: string): Promise<void> {
  if (!fs.existsSync(src)) throw new CliError(`Error response from daemon: Could not find the file ${srcShown} in container`, 1);
  const contentsOnly = srcShown.endsWith('/.');
  const destIsDir = fs.existsSync(dest) && fs.statSync(dest).isDirectory();
  if (!destIsDir && destShown.endsWith('/') && !fs.statSync(src).isDirectory()) {
    throw new CliError(`Error response from daemon: destination directory ${destShown} does not exist`, 1);
  }
  if (contentsOnly) {
    fs.mkdirSync(dest, { recursive: true });
    await run('cp', ['-a', `${src}/.`, dest], ['ignore', 'ignore', 'pipe']);
    return;
  }
  await run('cp', ['-a', src, destIsDir ? path.join(dest, path.basename(src)) : dest], ['ignore', 'ignore', 'pipe']);
}

export async function cp(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'archive', short: 'a', kind: 'bool' },
    { name: 'follow-link', short: 'L', kind: 'bool' },
    { name: 'quiet', short: 'q', kind: 'bool' },
  ]);
  if (flags.positionals.length !== 2) throw new CliError(`skiff: 'cp' requires exactly 2 arguments.\nSee 'skiff cp --help'.`, 1);
  const [srcArg, destArg] = flags.positionals;
  const from = splitContainerPath(srcArg);
  const to = splitContainerPath(destArg);
  if ((from && to) || (!from && !to)) throw new CliError('copying between containers is not supported; one side must be a local path', 1);
  return withEngine(globals, async (engine: Engine) => {
    const [ref, inner] = (from ?? to)!;
    const c = engine.containers.get(ref);
    await engine.containers.withRootfs(c, async (rootfs) => {
      const target = scopedPath(rootfs, inner || '/', flagBool(flags, 'follow-link'));
      if (from) {
        if (destArg === '-') {
          await run('tar', ['-C', path.dirname(target), '--numeric-owner', '-cf', '-', path.basename(target)], ['ignore', 'inherit', 'pipe']);
        } else {
          await copyPath(target, path.resolve(destArg), inner, destArg);
        }
      } else if (srcArg === '-') {
        if (!fs.existsSync(target) || !fs.statSync(target).isDirectory()) throw new CliError(`Error response from daemon: extraction point is not a directory`, 1);
        await run('tar', ['-C', target, '--numeric-owner', '-xf', '-'], ['inherit', 'ignore', 'pipe']);
      } else {
        if (!fs.existsSync(srcArg)) throw new CliError(`lstat ${path.resolve(srcArg)}: no such file or directory`, 1);
        await copyPath(path.resolve(srcArg), target, srcArg, inner);
      }
    });
    return 0;
  });
}
