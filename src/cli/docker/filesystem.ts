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

interface CopyEnd {
  /** Host path (inside the container's mounted rootfs for the container side). */
  path: string;
  /** The path as the user wrote it: trailing `/` and `/.` carry meaning. */
  shown: string;
}

/**
 * Copies SRC to DEST by docker's rules (moby pkg/archive CopyInfoDestinationPath/PrepareArchiveCopy): a
 * directory lands inside an existing directory DEST or becomes DEST, `SRC/.` copies the contents; a file
 * lands in an existing directory DEST or becomes DEST; DEST's parent must exist. Ownership is the
 * receiving side's (`owner`) unless -a keeps the source's; -L copies what a source symlink points to.
 */
async function copyPath(src: CopyEnd, dest: CopyEnd, o: { archive: boolean; followLink: boolean; owner: string }): Promise<void> {
  const srcIsDir = (o.followLink ? fs.statSync(src.path) : fs.lstatSync(src.path)).isDirectory();
  if (/\/\.?$/.test(src.shown) && !srcIsDir) throw new CliError(`Error response from daemon: not a directory`, 1);
  const destStat = fs.statSync(dest.path, { throwIfNoEntry: false });
  const contentsOnly = src.shown.endsWith('/.');
  let target: string;
  if (destStat?.isDirectory()) {
    target = contentsOnly ? dest.path : path.join(dest.path, path.basename(src.path));
  } else if (destStat) {
    if (srcIsDir) throw new CliError('Error response from daemon: cannot copy directory', 1);
    if (dest.shown.endsWith('/')) throw new CliError(`Error response from daemon: not a directory`, 1);
    target = dest.path;
  } else {
    if (!srcIsDir && dest.shown.endsWith('/')) throw new CliError(`Error response from daemon: destination directory ${dest.shown} does not exist`, 1);
    const parent = path.dirname(dest.path);
    if (!fs.existsSync(parent)) throw new CliError(`Error response from daemon: lstat ${path.dirname(dest.shown.replace(/\/+$/, '')) || '/'}: no such file or directory`, 1);
    target = dest.path;
  }
  const cpFlags = ['-R', '-T', '--preserve=mode,timestamps,links,xattr', ...(o.archive ? ['--preserve=ownership'] : []), o.followLink ? '-L' : '-P'];
  await run('cp', [...cpFlags, src.path, target], ['ignore', 'ignore', 'pipe']);
  // Only what was copied changes owner: the contents of `SRC/.` merged into an existing directory.
  const copied = contentsOnly && destStat ? fs.readdirSync(src.path).map((n) => path.join(target, n)) : [target];
  if (!o.archive && copied.length) await run('chown', ['-R', '-h', o.owner, ...copied], ['ignore', 'ignore', 'pipe']);
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
      const o = { archive: flagBool(flags, 'archive'), followLink: flagBool(flags, 'follow-link') };
      if (from) {
        if (!fs.existsSync(target)) throw new CliError(`Error response from daemon: Could not find the file ${inner} in container ${ref}`, 1);
        if (destArg === '-') {
          await run('tar', ['-C', path.dirname(target), '--numeric-owner', '-cf', '-', path.basename(target)], ['ignore', 'inherit', 'pipe']);
        } else {
          // Files copied out belong to the user running the command, as docker's.
          await copyPath({ path: target, shown: inner }, { path: path.resolve(destArg), shown: destArg }, { ...o, owner: `${process.getuid!()}:${process.getgid!()}` });
        }
      } else if (srcArg === '-') {
        if (!fs.existsSync(target) || !fs.statSync(target).isDirectory()) throw new CliError(`Error response from daemon: extraction point is not a directory`, 1);
        await run('tar', ['-C', target, '--numeric-owner', '-xf', '-'], ['inherit', 'ignore', 'pipe']);
      } else {
        const local = path.resolve(srcArg);
        if (!(o.followLink ? fs.existsSync(local) : fs.lstatSync(local, { throwIfNoEntry: false }))) throw new CliError(`lstat ${local}: no such file or directory`, 1);
        // Files copied in belong to the container's root user, as docker's.
        await copyPath({ path: local, shown: srcArg }, { path: target, shown: inner }, { ...o, owner: '0:0' });
      }
    });
    return 0;
  });
}
