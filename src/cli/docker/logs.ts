// docker logs: history with --tail/--since/--until/-t, then -f follows until the container stops.
import type { GlobalOptions } from '../command.js';
import { flagBool, flagString, parseFlags } from '../flags.js';
import { CliError, withEngine } from './common.js';

export async function logs(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'follow', short: 'f', kind: 'bool' },
    { name: 'timestamps', short: 't', kind: 'bool' },
    { name: 'tail', short: 'n', kind: 'string' },
    { name: 'since', kind: 'string' },
    { name: 'until', kind: 'string' },
    { name: 'details', kind: 'bool' },
  ]);
  if (flags.positionals.length !== 1) throw new CliError(`skiff: 'logs' requires exactly 1 argument.\nSee 'skiff logs --help'.`, 1);
  const { readLogs, formatTimeNano, parseTimeArg } = await import('../../engine/index.js');
  return withEngine(globals, async (engine) => {
    const c = engine.containers.get(flags.positionals[0]);
    if (c.HostConfig.LogConfig.Type === 'none' || !c.LogPath) {
      throw new CliError('Error response from daemon: configured logging driver does not support reading', 1);
    }
    const tailArg = flagString(flags, 'tail');
    const tail = tailArg === undefined || tailArg === 'all' || !/^-?\d+$/.test(tailArg) ? undefined : Number(tailArg);
    const since = flagString(flags, 'since');
    const until = flagString(flags, 'until');
    const stamps = flagBool(flags, 'timestamps');
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    await readLogs(
      c.LogPath,
      {
        tail,
        sinceNano: since ? parseTimeArg(since) : undefined,
        untilNano: until ? parseTimeArg(until) : undefined,
        follow: flagBool(flags, 'follow'),
        isRunning: () => {
          const cur = engine.containers.find(c.Id);
          return !!cur && (cur.State.Running || cur.State.Status === 'restarting');
        },
        signal: ac.signal,
      },
      (m) => {
        const out = m.stream === 'stderr' ? process.stderr : process.stdout;
        out.write(stamps ? Buffer.concat([Buffer.from(`${formatTimeNano(m.timeNano)} `), m.data]) : m.data);
      },
    );
    return 0;
  });
}
