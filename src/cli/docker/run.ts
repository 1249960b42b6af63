// docker create / run / start. A foreground run attaches to conmon's socket between `runc create` and
// `runc start` (so no output is lost), waits for the exit file and applies --rm itself.
import { traceMark, type Container, type Engine } from '../../engine/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagList, parseFlags } from '../flags.js';
import { checkTty, CliError, makeRaw, withEngine } from './common.js';
import { createFlags, toCreateOptions } from './create-flags.js';
import { verbs } from './index.js';

/** Finds the image, pulling it through the `pull` verb when one is installed (docker run's behaviour). */
async function ensureImage(engine: Engine, image: string, globals: GlobalOptions): Promise<void> {
  const { normalize, familiarName } = await import('../../engine/index.js');
  if (engine.images.lookup(image)) return;
  let familiar: string;
  try {
    familiar = familiarName(normalize(image));
  } catch (err) {
    throw new CliError(`skiff: ${(err as Error).message}.\nSee 'skiff run --help'.`, 125);
  }
  if (familiar === 'busybox:latest') return;
  process.stderr.write(`Unable to find image '${familiar}' locally\n`);
  const pull = verbs.pull;
  if (!pull) throw new CliError(`skiff: Error response from daemon: pull access denied for ${familiar.split(':')[0]}, repository does not exist or may require 'docker login'.\nSee 'skiff run --help'.`, 125);
  let code: number;
  try {
    code = await (await pull())([image], globals);
  } catch (err) {
    throw new CliError(`skiff: ${(err as Error).message}.\nSee 'skiff run --help'.`, 125);
  }
  // The pull verb has printed why it failed; docker's run then exits 125.
  if (code !== 0) throw new CliError('', 125);
}

async function createFromArgs(
  argv: string[],
  globals: GlobalOptions,
  engine: Engine,
  precheck: (flags: ReturnType<typeof parseFlags>) => void = () => undefined,
): Promise<{ c: Container; flags: ReturnType<typeof parseFlags> }> {
  const flags = parseFlags(argv, createFlags, { stopAtPositional: true });
  precheck(flags);
  const [image, ...cmd] = flags.positionals;
  if (!image) throw new CliError(`skiff: '${argv.includes('-d') ? 'run' : 'create'}' requires at least 1 argument.\nSee 'skiff run --help'.`, 125);
  await ensureImage(engine, image, globals);
  const opts = toCreateOptions(flags, image, cmd);
  if (flagBool(flags, 'publish-all')) await (await import('./network.js')).publishExposed(engine, opts, flagList(flags, 'expose'));
  const copyUp = await (await import('./volume.js')).prepareVolumes(engine, opts, flagList(flags, 'volumes-from'));
  const c = await engine.containers.create(opts);
  await copyUp(c);
  return { c, flags };
}

export async function create(argv: string[], globals: GlobalOptions): Promise<number> {
  return withEngine(globals, async (engine) => {
    const { c } = await createFromArgs(argv, globals, engine);
    process.stdout.write(`${c.Id}\n`);
    return 0;
  });
}

/** Starts a container and, unless detached, streams its output and returns its exit code. */
async function startAndMaybeAttach(engine: Engine, c: Container, attach: boolean, interactive: boolean): Promise<number> {
  if (!attach) {
    await engine.containers.start(c.Id);
    return 0;
  }
  const { attachSocket, preloadAttach, resizePty } = await import('../../engine/index.js');
  // The socket addon loads once the event loop is idle, which is while conmon runs `runc create`.
  setImmediate(preloadAttach);
  const bundle = engine.containers.dir(c.Id);
  const tty = c.Config.Tty;
  // process.stdin is made on first use (for a file or /dev/null that loads Node's fs streams and more).
  const stdin = interactive || tty ? process.stdin : undefined;
  let session: Awaited<ReturnType<typeof attachSocket>> | undefined;
  const restore: Array<() => void> = [];
  try {
    await engine.containers.start(
      c.Id,
      async () => {
        session = await attachSocket(bundle, {
          stdin: interactive ? stdin : undefined,
          stdout: process.stdout,
          stderr: process.stderr,
        });
        if (tty && stdin?.isTTY) {
          restore.push(makeRaw());
          const resize = (): void => resizePty(bundle, process.stdout.rows ?? 24, process.stdout.columns ?? 80);
          resize();
          process.stdout.on('resize', resize);
        }
      },
      { foreground: true },
    );
  } catch (err) {
    session?.close();
    for (const r of restore) r();
    const failed = engine.containers.find(c.Id);
    if (failed && c.HostConfig.AutoRemove) await engine.containers.remove(c.Id, { force: true });
    const code = failed?.State.ExitCode;
    throw new CliError(`skiff: Error response from daemon: ${(err as Error).message}.`, code === 126 || code === 127 ? code : 125);
  }
  if (!tty) {
    // docker's sig-proxy: signals to the client go to the container instead of killing the client.
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const) {
      const handler = (): void => void engine.containers.runc.kill(c.Id, sig.slice(3)).catch(() => undefined);
      process.on(sig, handler);
      restore.push(() => process.off(sig, handler));
    }
  }
  await session!.done;
  traceMark('output closed');
  const code = await engine.containers.wait(c.Id);
  traceMark('exit read');
  for (const r of restore) r();
  if (interactive) stdin?.pause();
  await (await import('./volume.js')).cleanupWithVolumes(engine, c.Id);
  traceMark('cleaned up');
  return code;
}

export async function run(argv: string[], globals: GlobalOptions): Promise<number> {
  return withEngine(globals, async (engine) => {
    // As docker, before anything is pulled or created.
    traceMark('run verb');
    const { c, flags } = await createFromArgs(argv, globals, engine, (f) => checkTty(flagBool(f, 'interactive') && !flagBool(f, 'detach'), flagBool(f, 'tty')));
    traceMark('created');
    const detach = flagBool(flags, 'detach');
    if (detach) {
      try {
        await engine.containers.start(c.Id);
      } catch (err) {
        const code = engine.containers.find(c.Id)?.State.ExitCode;
        throw new CliError(`skiff: Error response from daemon: ${(err as Error).message}.`, code === 126 || code === 127 ? code : 125);
      }
      process.stdout.write(`${c.Id}\n`);
      return 0;
    }
    return startAndMaybeAttach(engine, c, true, flagBool(flags, 'interactive'));
  });
}

export async function start(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'attach', short: 'a', kind: 'bool' },
    { name: 'interactive', short: 'i', kind: 'bool' },
  ]);
  if (!flags.positionals.length) throw new CliError(`skiff: 'start' requires at least 1 argument.\nSee 'skiff start --help'.`, 1);
  return withEngine(globals, async (engine) => {
    const attach = flagBool(flags, 'attach') || flagBool(flags, 'interactive');
    if (attach) {
      if (flags.positionals.length > 1) throw new CliError('you cannot start and attach multiple containers at once', 1);
      const c = engine.containers.get(flags.positionals[0]);
      checkTty(flagBool(flags, 'interactive'), c.Config.Tty);
      return startAndMaybeAttach(engine, c, true, flagBool(flags, 'interactive'));
    }
    const failed: string[] = [];
    for (const ref of flags.positionals) {
      try {
        await engine.containers.start(ref);
        process.stdout.write(`${ref}\n`);
      } catch (err) {
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
        failed.push(ref);
      }
    }
    if (failed.length) process.stderr.write(`Error: failed to start containers: ${failed.join(', ')}\n`);
    return failed.length ? 1 : 0;
  });
}
