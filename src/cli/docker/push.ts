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
    const { canonical, parseReference, splitName } = await import('../../engine/index.js');
    const name = flags.positionals[0];
    let names = [name];
    if (flagBool(flags, 'all-tags')) {
      // Every local tag of the repository, pushed one after the other as docker does.
      const repo = splitName(canonical(parseReference(name)))[0];
      if (/[:@]/.test(name.slice(name.lastIndexOf('/') + 1))) throw new CliError('tag can\'t be used with --all-tags/-a', 1);
      names = engine.images.list().flatMap((i) => i.tags).filter((t) => !t.includes('@') && splitName(t)[0] === repo).sort();
      if (!names.length) throw new CliError(`Error response from daemon: An image does not exist locally with the tag: ${name}`, 1);
    }
    try {
      for (const n of names) {
        await pushFromEngine(engine, n, {
          settings: engineRegistrySettings(globals.root),
          progress: quiet ? silentProgress : createProgress(process.stdout),
        });
      }
    } catch (err) {
      const message = (err as Error).message;
      throw new CliError(message.startsWith('An image does not exist') ? `Error response from daemon: ${message}` : message, 1);
    }
    if (quiet) process.stdout.write(`${flags.positionals[0]}\n`);
    return 0;
  });
}
