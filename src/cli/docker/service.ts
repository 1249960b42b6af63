// `skiff system service [--socket PATH | unix:///PATH] [--time SECONDS]`: the Docker Engine API on a
// unix socket (podman's `system service` shape), over the same engine root as the docker verbs, so
// `DOCKER_HOST=unix://PATH docker …` and `skiff …` see the same containers. Runs until SIGINT/SIGTERM,
// or until --time seconds pass with no request or open stream (0, the default, means never).
import fs from 'node:fs';
import path from 'node:path';
import { startDockerApi, type DockerApiServer, type VerbHelpers } from '../../dockerapi/index.js';
import type { GlobalOptions } from '../command.js';
import { flagInt, flagString, parseFlags, UsageError } from '../flags.js';
import { CliError, openEngine } from './common.js';
import { containerJSON, imageJSON } from './inspect.js';
import { networkJSON, publishExposed } from './network.js';
import { cleanupWithVolumes, prepareVolumes, removeAnonymousVolumes } from './volume.js';

export const DEFAULT_SOCKET = '/run/skiff/docker.sock';

/** A listen address: a path or a unix:// URI. TCP is refused: the API has no authentication. */
export function socketPath(value: string): string {
  if (value.startsWith('unix://')) return value.slice('unix://'.length);
  if (value.startsWith('unix:')) return value.slice('unix:'.length);
  if (/^[a-z]+:\/\//.test(value)) throw new UsageError(`${value}: only unix:// addresses are served (the API has no authentication)`);
  return value;
}

const helpers: VerbHelpers = { containerJSON, imageJSON, networkJSON, prepareVolumes, publishExposed, removeAnonymousVolumes, cleanupWithVolumes };

const USAGE = `Usage:  skiff system service [OPTIONS] [URI]

Serve the Docker Engine API on a unix socket, over this engine root (--root),
so the docker CLI and Docker SDKs drive skiff's containers:

  skiff system service --socket ${DEFAULT_SOCKET} &
  DOCKER_HOST=unix://${DEFAULT_SOCKET} docker run --rm busybox echo hi

Options:
      --socket string   Socket path or unix:// URI to listen on (default "${DEFAULT_SOCKET}")
  -t, --time int        Seconds without requests before the service exits; 0 = never (default 0)
`;

export async function service(argv: string[], globals: GlobalOptions): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const flags = parseFlags(argv, [
    { name: 'socket', kind: 'string' },
    { name: 'time', short: 't', kind: 'int', aliases: ['timeout'] },
  ]);
  if (flags.positionals.length > 1) throw new UsageError('"system service" accepts at most 1 argument (the URI to listen on)');
  const socket = path.resolve(socketPath(flagString(flags, 'socket') ?? flags.positionals[0] ?? DEFAULT_SOCKET));
  const idle = flagInt(flags, 'time') ?? 0;
  if (idle < 0) throw new UsageError('--time must be 0 (never stop) or a number of seconds');
  fs.mkdirSync(path.dirname(socket), { recursive: true });
  const engine = await openEngine(globals);
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let server: DockerApiServer;
  try {
    server = await startDockerApi({ engine, helpers, socket, idleTimeoutSec: idle, onIdle: () => stop() });
  } catch (err) {
    engine.close();
    throw new CliError(`skiff system service: ${(err as Error).message}`, 1);
  }
  // One client's broken stream must not end the service for every other client: log and go on.
  const report = (err: unknown): void => void process.stderr.write(`skiff system service: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  process.stderr.write(`skiff system service: Docker Engine API on unix://${socket} (engine root ${globals.root})\n`);
  await stopped;
  await server.close();
  engine.close();
  return 0;
}
