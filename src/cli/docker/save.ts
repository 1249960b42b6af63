// docker save: `skiff save [-o FILE] IMAGE...` writes a docker archive (with an OCI layout inside).
import type { GlobalOptions } from '../command.js';
import { flagString, parseFlags, UsageError } from '../flags.js';
import { CliError, withEngine } from './common.js';
import { saveImages } from '../../registry/index.js';

export async function save(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'output', short: 'o', kind: 'string' }]);
  if (flags.positionals.length === 0) throw new UsageError('"save" requires at least 1 argument.');
  const output = flagString(flags, 'output') ?? '-';
  if (output === '-' && process.stdout.isTTY) {
    throw new CliError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
  }
  return withEngine(globals, async (engine) => {
    try {
      await saveImages(engine, flags.positionals, output === '-' ? process.stdout : output);
    } catch (err) {
      throw new CliError(`Error response from daemon: ${(err as Error).message}`, 1);
    }
    return 0;
  });
}
