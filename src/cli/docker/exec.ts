// docker exec: runs a process in a running container with `runc exec`. In the foreground runc relays
// stdio itself (and with -t allocates the pty, copies it and follows SIGWINCH), so the exit code is
// runc's; -d detaches and discards output as docker does.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagList, flagString, parseFlags } from '../flags.js';
import { checkTty, CliError, withEngine } from './common.js';

export async function exec(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(
    argv,
    [
      { name: 'detach', short: 'd', kind: 'bool' },
      { name: 'interactive', short: 'i', kind: 'bool' },
      { name: 'tty', short: 't', kind: 'bool' },
      { name: 'env', short: 'e', kind: 'list' },
      { name: 'env-file', kind: 'list' },
      { name: 'user', short: 'u', kind: 'string' },
      { name: 'workdir', short: 'w', kind: 'string' },
      { name: 'privileged', kind: 'bool' },
    ],
    { stopAtPositional: true },
  );
  const [ref, ...cmd] = flags.positionals;
  if (!ref || !cmd.length) throw new CliError(`skiff: 'exec' requires at least 2 arguments.\nSee 'skiff exec --help'.`, 1);
  checkTty(flagBool(flags, 'interactive'), flagBool(flags, 'tty'));
  return withEngine(globals, async (engine) => {
    const c = engine.containers.get(ref);
    if (!c.State.Running) throw new CliError(`Error response from daemon: container ${c.Id} is not running`, 1);
    if (c.State.Paused) throw new CliError(`Error response from daemon: Container ${c.Id} is paused, unpause the container before exec`, 1);
    const envFiles = flagList(flags, 'env-file').flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')));
    const args = await engine.containers.execArgs(c, {
      cmd,
      env: [...envFiles, ...flagList(flags, 'env')],
      user: flagString(flags, 'user'),
      workdir: flagString(flags, 'workdir'),
      tty: flagBool(flags, 'tty'),
      detach: flagBool(flags, 'detach'),
      privileged: flagBool(flags, 'privileged'),
    });
    const detach = flagBool(flags, 'detach');
    const interactive = flagBool(flags, 'interactive');
    const tty = flagBool(flags, 'tty');
    // runc's own stderr goes through us (without a tty) so a failed start reads like docker's.
    const child = spawn(args[0], args.slice(1), {
      stdio: detach ? ['ignore', 'ignore', 'pipe'] : [interactive || tty ? 'inherit' : 'ignore', 'inherit', tty ? 'inherit' : 'pipe'],
    });
    let runcError = '';
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      if (/level=error msg=/.test(text)) runcError += text;
      else process.stderr.write(d);
    });
    const code = await new Promise<number>((resolve) => {
      child.on('error', () => resolve(126));
      child.on('close', (status, signal) => resolve(status ?? (signal ? 128 + (engineSignals[signal] ?? 0) : 1)));
    });
    if (runcError && code !== 255) process.stderr.write(runcError);
    else if (runcError) {
      const { runcErrorText } = await import('../../engine/index.js');
      const message = runcErrorText(runcError);
      process.stderr.write(`OCI runtime exec failed: ${message}: unknown\n`);
      return /not found|no such file/.test(message) ? 127 : 126;
    }
    return code;
  });
}

const engineSignals: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };

