// docker volume create/ls/inspect/rm/prune, and the volume side of create/run: named and anonymous
// volumes (-v name:/p, -v /p, the image's VOLUMEs) resolved to their Mountpoints, and copy-up of the
// image's content into empty volumes once the container exists.
import path from 'node:path';
import { filtersFromFlags, volumeFilter, type Container, type CreateOptions, type Engine } from '../../engine/index.js';
import type { Volume, VolumeStore } from '../../engine/volumes/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagList, flagString, parseFlags } from '../flags.js';
import { CliError, humanSize, renderFormat, withEngine } from './common.js';
import { confirm } from './system.js';
import { compile } from './template.js';

/** The root's volume store, loaded only by the verbs that need it. */
export async function volumeStore(root: string): Promise<VolumeStore> {
  const { VolumeStore } = await import('../../engine/volumes/index.js');
  return new VolumeStore(root);
}

/** Ids of the containers that mount each volume. */
async function usersByVolume(engine: Engine): Promise<Map<string, string[]>> {
  const { usersByVolume: users } = await import('../../engine/volumes/index.js');
  return users(engine.containers.list());
}

/**
 * Resolves the volume mounts of a create request in place (creating named volumes on first use and
 * anonymous ones for `-v /path` and the image's VOLUMEs), and returns the copy-up step to run once the
 * container exists.
 */
export async function prepareVolumes(engine: Engine, opts: CreateOptions, volumesFrom: string[] = []): Promise<(c: Container) => Promise<void>> {
  const volumes = await volumeStore(engine.paths.root);
  const image = await engine.images.resolve(opts.image);
  const mounts = opts.mounts ?? [];
  const taken = (dst: string): boolean => mounts.some((m) => path.posix.normalize(m.Destination) === path.posix.normalize(dst));
  // --volumes-from C[:ro|rw]: C's volumes and binds at the same paths, read-only with :ro.
  for (const spec of volumesFrom) {
    const [ref, mode] = spec.split(':');
    if (mode !== undefined && mode !== 'ro' && mode !== 'rw') throw new CliError(`skiff: Error response from daemon: invalid mode: ${mode}.\nSee 'skiff run --help'.`, 125);
    for (const m of engine.containers.get(ref).Mounts) {
      if (m.Type !== 'tmpfs' && !taken(m.Destination)) mounts.push({ ...m, RW: mode === 'ro' ? false : mode === 'rw' ? true : m.RW });
    }
  }
  for (const dst of Object.keys(image.config.config?.Volumes ?? {})) {
    if (!taken(dst)) mounts.push({ Type: 'volume', Source: '', Destination: dst, RW: true });
  }
  const used: Array<{ v: Volume; dst: string }> = [];
  opts.mounts = mounts.map((m) => {
    if (m.Type !== 'volume') return m;
    const v = volumes.create(m.Name);
    used.push({ v, dst: m.Destination });
    return volumes.mountFor(v, m);
  });
  return async (c) => {
    if (!used.length) return;
    await engine.containers.withRootfs(c, (rootfs) => {
      for (const u of used) volumes.copyUp(u.v, path.join(rootfs, u.dst));
    });
  };
}

/** rm -v: the container's anonymous volumes that no other container uses. */
export async function removeAnonymousVolumes(engine: Engine, c: Container): Promise<void> {
  const { ANONYMOUS_LABEL } = await import('../../engine/volumes/index.js');
  const volumes = await volumeStore(engine.paths.root);
  const users = await usersByVolume(engine);
  for (const m of c.Mounts) {
    const v = m.Type === 'volume' && m.Name ? volumes.find(m.Name) : undefined;
    if (v && ANONYMOUS_LABEL in v.Labels && !(users.get(v.Name) ?? []).some((id) => id !== c.Id)) volumes.remove(v.Name, []);
  }
}

/** A container's exit handling plus docker's rule that a --rm container takes its anonymous volumes along. */
export async function cleanupWithVolumes(engine: Engine, id: string): Promise<void> {
  const before = engine.containers.find(id);
  await engine.containers.cleanup(id);
  if (before?.HostConfig.AutoRemove && before.Mounts.some((m) => m.Type === 'volume') && !engine.containers.find(id)) {
    await removeAnonymousVolumes(engine, before);
  }
}

async function create(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'name', kind: 'string' }, { name: 'label', kind: 'list' }, { name: 'driver', short: 'd', kind: 'string' }, { name: 'opt', short: 'o', kind: 'list' }]);
  const driver = flagString(flags, 'driver') ?? 'local';
  if (driver !== 'local') throw new CliError(`Error response from daemon: create ${flags.positionals[0] ?? ''}: error looking up volume plugin ${driver}: plugin "${driver}" not found`, 1);
  const labels = Object.fromEntries(flagList(flags, 'label').map((l) => [l.split('=')[0], l.includes('=') ? l.slice(l.indexOf('=') + 1) : '']));
  const v = (await volumeStore(globals.root)).create(flags.positionals[0] ?? flagString(flags, 'name'), labels);
  process.stdout.write(`${v.Name}\n`);
  return 0;
}

async function ls(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'quiet', short: 'q', kind: 'bool' }, { name: 'format', kind: 'string' }, { name: 'filter', short: 'f', kind: 'list' }]);
  return withEngine(globals, async (engine) => {
    const list = (await volumeStore(globals.root)).list().filter(volumeFilter(filtersFromFlags(flagList(flags, 'filter')), await usersByVolume(engine)));
    if (flagBool(flags, 'quiet')) {
      process.stdout.write(list.map((v) => `${v.Name}\n`).join(''));
      return 0;
    }
    const items = list.map((v) => ({ Driver: v.Driver, Name: v.Name, Mountpoint: v.Mountpoint, Scope: v.Scope, Labels: Object.entries(v.Labels).map(([k, x]) => `${k}=${x}`).join(',') }));
    process.stdout.write(renderFormat(flagString(flags, 'format') ?? 'table {{.Driver}}\t{{.Name}}', { Driver: 'DRIVER', Name: 'VOLUME NAME', Mountpoint: 'MOUNTPOINT', Scope: 'SCOPE', Labels: 'LABELS' }, items));
    return 0;
  });
}

async function inspect(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'format', short: 'f', kind: 'string' }]);
  if (!flags.positionals.length) throw new CliError(`skiff: 'volume inspect' requires at least 1 argument.\nSee 'skiff volume inspect --help'.`, 1);
  const volumes = await volumeStore(globals.root);
  const found: Volume[] = [];
  let code = 0;
  for (const name of flags.positionals) {
    const v = volumes.find(name);
    if (v) found.push(v);
    else {
      process.stderr.write(`Error response from daemon: get ${name}: no such volume\n`);
      code = 1;
    }
  }
  const format = flagString(flags, 'format');
  if (format) {
    const tpl = compile(format);
    process.stdout.write(found.map((v) => tpl.execute(v) + '\n').join(''));
  } else process.stdout.write(JSON.stringify(found, null, 4) + '\n');
  return code;
}

async function rm(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'force', short: 'f', kind: 'bool' }]);
  if (!flags.positionals.length) throw new CliError(`skiff: 'volume rm' requires at least 1 argument.\nSee 'skiff volume rm --help'.`, 1);
  return withEngine(globals, async (engine) => {
    const volumes = await volumeStore(globals.root);
    const users = await usersByVolume(engine);
    let code = 0;
    for (const name of flags.positionals) {
      try {
        volumes.remove(name, users.get(name) ?? []);
        process.stdout.write(`${name}\n`);
      } catch (err) {
        if (flagBool(flags, 'force') && /no such volume/.test((err as Error).message)) continue;
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
        code = 1;
      }
    }
    return code;
  });
}

async function prune(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'force', short: 'f', kind: 'bool' }, { name: 'all', short: 'a', kind: 'bool' }, { name: 'filter', kind: 'list' }]);
  const all = flagBool(flags, 'all');
  if (!flagBool(flags, 'force') && !(await confirm(`WARNING! This will remove ${all ? 'all local volumes' : 'anonymous local volumes'} not used by at least one container.\nAre you sure you want to continue?`))) return 0;
  return withEngine(globals, async (engine) => {
    const { pruneVolumes } = await import('../../engine/volumes/index.js');
    const deleted = pruneVolumes(await volumeStore(globals.root), engine.containers.list(), all);
    if (deleted.length) process.stdout.write(`Deleted Volumes:\n${deleted.join('\n')}\n\n`);
    process.stdout.write(`Total reclaimed space: ${humanSize(0)}\n`);
    return 0;
  });
}

const subcommands: Record<string, (argv: string[], globals: GlobalOptions) => Promise<number>> = {
  create, ls, list: ls, inspect, rm, remove: rm, prune,
};

/** `docker volume SUBCOMMAND`. */
export async function volume(argv: string[], globals: GlobalOptions): Promise<number> {
  const sub = subcommands[argv[0] ?? ''];
  if (!sub) {
    process.stdout.write(`Usage:  skiff volume COMMAND\n\nCommands:\n${Object.keys(subcommands).map((c) => `  ${c}\n`).join('')}`);
    return argv.length ? 1 : 0;
  }
  return sub(argv.slice(1), globals);
}
