// docker pull: `skiff pull [-q] [--platform os/arch] NAME[:TAG|@DIGEST]`.
import type { GlobalOptions } from '../command.js';
import { flagBool, flagString, parseFlags, UsageError } from '../flags.js';
import { CliError, withEngine } from './common.js';
import { createProgress, engineRegistrySettings, pullToEngine, repositoryTags, silentProgress, type Platform } from '../../registry/index.js';

export async function pull(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'platform', kind: 'string' },
    { name: 'all-tags', short: 'a', kind: 'bool' },
  ]);
  if (flags.positionals.length !== 1) throw new UsageError('"pull" requires exactly 1 argument.');
  const name = flags.positionals[0];
  const platformFlag = flagString(flags, 'platform');
  let platform: Platform | undefined;
  if (platformFlag) {
    const [os, architecture, variant] = platformFlag.split('/');
    if (!os || !architecture) throw new UsageError(`invalid platform "${platformFlag}": want os/arch[/variant]`);
    platform = { os, architecture, variant };
  }
  const quiet = flagBool(flags, 'quiet');
  const progress = quiet ? silentProgress : createProgress(process.stdout);
  return withEngine(globals, async (engine) => {
    const { parseReference } = await import('../../engine/index.js');
    let ref;
    try {
      ref = parseReference(name);
    } catch (err) {
      throw new CliError(`${(err as Error).message}`, 1);
    }
    const explicitTag = /[:@]/.test(name.slice(name.lastIndexOf('/') + 1));
    const settings = engineRegistrySettings(globals.root);
    try {
      if (flagBool(flags, 'all-tags')) {
        if (explicitTag) throw new CliError('tag can\'t be used with --all-tags/-a', 1);
        for (const tag of await repositoryTags(ref, { settings })) {
          await pullToEngine(engine, `${ref.domain}/${ref.path}:${tag}`, { settings, progress, platform });
        }
        process.stdout.write(`${ref.domain}/${ref.path}\n`);
        return 0;
      }
      if (!quiet && !explicitTag) progress.line('Using default tag: latest');
      const { canonicalName } = await pullToEngine(engine, name, { settings, progress, platform });
      process.stdout.write(`${canonicalName}\n`);
      return 0;
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`Error response from daemon: ${(err as Error).message}`, 1);
    }
  });
}
