// docker search: `skiff search [--limit N] [--format F] HOST/TERM` lists matching repositories from a
// registry's catalog (Docker Hub's search API is not reachable offline).
import type { GlobalOptions } from '../command.js';
import { flagInt, flagString, parseFlags, UsageError } from '../flags.js';
import { CliError, renderFormat } from './common.js';
import { engineRegistrySettings, searchRegistry, searchTarget } from '../../registry/index.js';

const HEADERS = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };

export async function search(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'limit', kind: 'int' },
    { name: 'format', kind: 'string' },
    { name: 'no-trunc', kind: 'bool' },
    { name: 'filter', short: 'f', kind: 'list' },
  ]);
  if (flags.positionals.length !== 1) throw new UsageError('"search" requires exactly 1 argument.');
  const target = searchTarget(flags.positionals[0]);
  if (!target) {
    throw new CliError(`Error response from daemon: search needs a registry that serves the catalog API: use HOST[:PORT]/${flags.positionals[0]}`, 1);
  }
  let results;
  try {
    results = await searchRegistry(target.host, target.term, engineRegistrySettings(globals.root), flagInt(flags, 'limit') ?? 25);
  } catch (err) {
    throw new CliError(`Error response from daemon: ${(err as Error).message}`, 1);
  }
  const rows = results.map((r) => ({
    Name: r.name, Description: r.description, StarCount: String(r.stars), IsOfficial: r.official ? '[OK]' : '', IsAutomated: r.automated ? '[OK]' : '',
  }));
  const format = flagString(flags, 'format') ?? 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}\t{{.IsAutomated}}';
  process.stdout.write(renderFormat(format, HEADERS, rows));
  return 0;
}
