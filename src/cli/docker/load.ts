// docker load: `skiff load [-i FILE] [-q]` reads a docker archive or an OCI image layout tarball.
import type { GlobalOptions } from '../command.js';
import { flagBool, flagString, parseFlags } from '../flags.js';
import { CliError, withEngine } from './common.js';
import { loadArchive } from '../../registry/index.js';

export async function load(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'input', short: 'i', kind: 'string' },
    { name: 'quiet', short: 'q', kind: 'bool' },
  ]);
  const input = flagString(flags, 'input') ?? '-';
  if (input === '-' && process.stdin.isTTY) {
    throw new CliError('requested load from stdin, but stdin is empty', 1);
  }
  return withEngine(globals, async (engine) => {
    let lines: string[];
    try {
      lines = await loadArchive(engine, input === '-' ? process.stdin : input);
    } catch (err) {
      throw new CliError(`Error response from daemon: ${(err as Error).message}`, 1);
    }
    if (!flagBool(flags, 'quiet')) process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    return 0;
  });
}
