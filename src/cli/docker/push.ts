// docker push: `skiff push [-q] NAME[:TAG]`.
import type { GlobalOptions } from '../command.js';
import { flagBool, parseFlags, UsageError } from '../flags.js';
import { CliError, withEngine } from './common.js';
import { createProgress, engineRegistrySettings, pushFromEngine, silentProgress } from '../../registry/index.js';

export async function push(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'all-tags', short: 'a', kind: 'bool' },
  ]);
  if (flags.positionals.length !== 1) throw new UsageError('"push" requires exactly 1 argument.');
  const quiet = flagBool(flags, 'quiet');
  return withEngine(globals, async (engine) => {
    try {
      await pushFromEngine(engine, flags.positionals[0], {
        settings: engineRegistrySettings(globals.root),
        progress: quiet ? silentProgress : createProgress(process.stdout),
      });
    } catch (err) {
      const message = (err as Error).message;
      throw new CliError(message.startsWith('An image does not exist') ? `Error response from daemon: ${message}` : message, 1);
    }
    if (quiet) process.stdout.write(`${flags.positionals[0]}\n`);
    return 0;
  });
}
