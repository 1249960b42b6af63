// docker stop / kill / restart / pause / unpause / wait / rename / rm, and the hidden
// `container cleanup` that conmon's exit command runs when a container exits.
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../../engine/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagInt, flagString, parseFlags, type FlagSpec } from '../flags.js';
import { CliError, withEngine } from './common.js';

/** Applies fn to every named container, printing each name as docker does and errors as they come. */
async function eachContainer(
  verb: string,
  argv: string[],
  specs: FlagSpec[],
  globals: GlobalOptions,
  fn: (engine: Engine, ref: string, flags: ReturnType<typeof parseFlags>) => Promise<string | void>,
): Promise<number> {
  const flags = parseFlags(argv, specs);
  if (!flags.positionals.length) throw new CliError(`skiff: '${verb}' requires at least 1 argument.\nSee 'skiff ${verb} --help'.`, 1);
  return withEngine(globals, async (engine) => {
    let failed = false;
    for (const ref of flags.positionals) {
      try {
        const out = await fn(engine, ref, flags);
        if (out !== undefined) process.stdout.write(`${out}\n`);
      } catch (err) {
        const { EngineError } = await import('../../engine/index.js');
        if (!(err instanceof EngineError)) throw err;
        process.stderr.write(`Error response from daemon: ${err.message}\n`);
        failed = true;
      }
    }
    return failed ? 1 : 0;
  });
}

const timeFlag: FlagSpec = { name: 'time', short: 't', kind: 'int', aliases: ['timeout'] };

export const stop = (argv: string[], g: GlobalOptions): Promise<number> =>
  eachContainer('stop', argv, [timeFlag, { name: 'signal', short: 's', kind: 'string' }], g, async (e, ref, f) => {
    await e.containers.stop(ref, flagInt(f, 'time'), flagString(f, 'signal'));
    return ref;
  });

export const kill = (argv: string[], g: GlobalOptions): Promise<number> =>
  eachContainer('kill', argv, [{ name: 'signal', short: 's', kind: 'string' }], g, async (e, ref, f) => {
    await e.containers.kill(ref, flagString(f, 'signal') ?? 'KILL');
    return ref;
  });

export const restart = (argv: string[], g: GlobalOptions): Promise<number> =>
  eachContainer('restart', argv, [timeFlag], g, async (e, ref, f) => {
    await e.containers.restart(ref, flagInt(f, 'time'));
    return ref;
  });

export const pause = (argv: string[], g: GlobalOptions): Promise<number> =>
  eachContainer('pause', argv, [], g, async (e, ref) => {
    await e.containers.pause(ref);
    return ref;
  });

export const unpause = (argv: string[], g: GlobalOptions): Promise<number> =>
  eachContainer('unpause', argv, [], g, async (e, ref) => {
    await e.containers.unpause(ref);
    return ref;
  });

export const wait = (argv: string[], g: GlobalOptions): Promise<number> =>
  eachContainer('wait', argv, [], g, async (e, ref) => String(await e.containers.wait(ref)));

export const rm = (argv: string[], g: GlobalOptions): Promise<number> =>
  eachContainer(
    'rm',
    argv,
    [
      { name: 'force', short: 'f', kind: 'bool' },
      { name: 'volumes', short: 'v', kind: 'bool' },
      { name: 'link', short: 'l', kind: 'bool' },
    ],
    g,
    async (e, ref, f) => {
      const c = await e.containers.remove(ref, { force: flagBool(f, 'force') });
      if (flagBool(f, 'volumes')) await (await import('./volume.js')).removeAnonymousVolumes(e, c);
      return ref;
    },
  );

export async function rename(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, []);
  if (flags.positionals.length !== 2) throw new CliError(`skiff: 'rename' requires exactly 2 arguments.\nSee 'skiff rename --help'.`, 1);
  return withEngine(globals, async (engine) => {
    engine.containers.rename(flags.positionals[0], flags.positionals[1]);
    return 0;
  });
}

/** Run by conmon after a container exits (maybe long after every skiff process ended). */
export async function containerCleanup(argv: string[], globals: GlobalOptions): Promise<number> {
  const [id] = parseFlags(argv, []).positionals;
  if (!id) return 1;
  // The root may have been deleted since the container exited (test and bench teardown): opening the
  // engine would create it again.
  if (!fs.existsSync(path.join(globals.root, 'engine.db'))) return 0;
  return withEngine(globals, async (engine) => {
    await (await import('./volume.js')).cleanupWithVolumes(engine, id);
    return 0;
  });
}

/** `system restore`: after a host restart, start again what restart policies keep running. */
export async function systemRestore(argv: string[], globals: GlobalOptions): Promise<number> {
  parseFlags(argv, []);
  return withEngine(globals, async (engine) => {
    for (const id of await engine.containers.restore()) process.stdout.write(`${id}\n`);
    return 0;
  });
}
