// `skiff registry serve --addr HOST:PORT --root DIR [--htpasswd FILE] [--tls-cert F --tls-key F]`: a registry speaking
// the OCI distribution API, in the foreground until SIGINT/SIGTERM.
import { parseFlags, flagString, UsageError } from './flags.js';
import type { CommandModule } from './command.js';
import { RegistryServer } from '../registry/index.js';

const USAGE = 'Usage: skiff registry serve --addr HOST:PORT --root DIR [--htpasswd FILE] [--tls-cert FILE --tls-key FILE]';

export const run: CommandModule['run'] = async (argv) => {
  const help = (a: string): boolean => a === '--help' || a === '-h';
  if (argv[0] !== 'serve' || argv.slice(1).some(help)) {
    const asked = argv.some(help);
    (asked ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return asked ? 0 : 125;
  }
  const p = parseFlags(argv.slice(1), [
    { name: 'addr', kind: 'string' },
    { name: 'root', kind: 'string' },
    { name: 'htpasswd', kind: 'string' },
    { name: 'tls-cert', kind: 'string' },
    { name: 'tls-key', kind: 'string' },
  ]);
  const addr = flagString(p, 'addr') ?? '127.0.0.1:5000';
  const root = flagString(p, 'root');
  if (!root) throw new UsageError('registry serve: --root DIR is required');
  const m = /^(.*):(\d+)$/.exec(addr);
  if (!m) throw new UsageError(`registry serve: invalid --addr "${addr}": want HOST:PORT`);
  const cert = flagString(p, 'tls-cert');
  const key = flagString(p, 'tls-key');
  if (!cert !== !key) throw new UsageError('registry serve: --tls-cert and --tls-key go together');
  const server = new RegistryServer({ root, htpasswd: flagString(p, 'htpasswd'), tls: cert && key ? { cert, key } : undefined });
  const bound = await server.listen(Number(m[2]), m[1].replace(/^\[|\]$/g, '') || '127.0.0.1');
  process.stdout.write(`listening on ${bound.address}:${bound.port}${cert ? ' (https)' : ''}, storage ${root}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
};
