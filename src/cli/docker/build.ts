// docker build (classic builder): `skiff build [-t NAME]... [-f FILE] [--target STAGE] [--build-arg K=V]...
// [--no-cache] [-q] PATH | -`.
import fs from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagList, flagString, parseFlags, UsageError } from '../flags.js';
import { CliError, humanSize, withEngine } from './common.js';
import {
  build, BuildContextError, BuildError, EngineBuildBackend, contextSize, directoryContext, readDockerfile, stdinContext,
  type BuildContext,
} from '../../build/index.js';
import { createProgress, engineRegistrySettings, pullToEngine } from '../../registry/index.js';

export async function buildVerb(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'tag', short: 't', kind: 'list' },
    { name: 'file', short: 'f', kind: 'string' },
    { name: 'target', kind: 'string' },
    { name: 'build-arg', kind: 'list' },
    { name: 'no-cache', kind: 'bool' },
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'rm', kind: 'bool' },
    { name: 'force-rm', kind: 'bool' },
    { name: 'pull', kind: 'bool' },
    { name: 'network', kind: 'string' },
    { name: 'label', kind: 'list' },
    { name: 'iidfile', kind: 'string' },
  ]);
  if (flags.positionals.length !== 1) throw new UsageError('"build" requires exactly 1 argument.');
  const { parseReference } = await import('../../engine/index.js');
  const tags = flagList(flags, 'tag');
  for (const tag of tags) {
    try {
      parseReference(tag);
    } catch (err) {
      throw new UsageError(`invalid argument "${tag}" for "-t, --tag" flag: ${(err as Error).message}`);
    }
  }
  const buildArgs: Record<string, string> = {};
  for (const arg of flagList(flags, 'build-arg')) {
    const eq = arg.indexOf('=');
    if (eq < 0) {
      // docker: `--build-arg NAME` takes the value from the client's environment, if set.
      if (process.env[arg] !== undefined) buildArgs[arg] = process.env[arg]!;
    } else buildArgs[arg.slice(0, eq)] = arg.slice(eq + 1);
  }

  let context: BuildContext;
  let dockerfile: string;
  try {
    const source = flags.positionals[0];
    if (source === '-') {
      const stdin = stdinContext(fs.readFileSync(0));
      context = stdin.context;
      const file = flagString(flags, 'file');
      dockerfile = stdin.dockerfile ?? readDockerfile(context, file ? `${context.root}/${file}` : undefined);
    } else {
      context = directoryContext(source);
      const file = flagString(flags, 'file');
      // `-f -`: the Dockerfile comes from stdin, the context from the directory.
      dockerfile = file === '-' ? fs.readFileSync(0, 'utf8') : readDockerfile(context, file);
    }
  } catch (err) {
    if (err instanceof BuildContextError) throw new CliError(err.message, 1);
    throw err;
  }

  // docker appends --label values to the Dockerfile as one more LABEL step of the last stage.
  const labels = flagList(flags, 'label').map((l) => {
    const eq = l.indexOf('=');
    return eq < 0 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
  });
  if (labels.length) dockerfile = `${dockerfile.replace(/\n?$/, '\n')}LABEL ${labels.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}\n`;

  const quiet = flagBool(flags, 'quiet');
  // With -q the transcript is kept and shown only if the build fails, as docker does.
  const captured: Buffer[] = [];
  const out: Writable = quiet ? new PassThrough().on('data', (c: Buffer) => captured.push(c)) : process.stdout;
  try {
    if (!quiet) process.stdout.write(`Sending build context to Docker daemon  ${humanSize(contextSize(context), 4)}\n`);
    return await withEngine(globals, async (engine) => {
      const settings = engineRegistrySettings(globals.root);
      const backend = new EngineBuildBackend(engine, async (name, sink) => {
        await pullToEngine(engine, name, { settings, progress: createProgress(sink) });
      });
      try {
        const result = await build(backend, {
          context, dockerfile, tags, buildArgs, out,
          noCache: flagBool(flags, 'no-cache'),
          target: flagString(flags, 'target'),
          network: flagString(flags, 'network'),
        });
        const iidfile = flagString(flags, 'iidfile');
        if (iidfile) fs.writeFileSync(iidfile, result.imageId);
        if (quiet) process.stdout.write(`${result.imageId}\n`);
        return 0;
      } catch (err) {
        if (quiet) process.stderr.write(Buffer.concat(captured));
        if (err instanceof BuildError) {
          throw new CliError(err.beforeSteps ? `Error response from daemon: ${err.message}` : err.message, err.exitCode || 1);
        }
        throw err;
      }
    });
  } finally {
    context.dispose();
  }
}
