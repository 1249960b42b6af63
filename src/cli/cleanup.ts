// `skiff cleanup --data-dir DIR`: removes what that data dir's server and agent created on this host.
import path from 'node:path';
import type { CommandModule } from './command.js';
import { flagBool, flagString, parseFlags, UsageError } from './flags.js';
import { cleanupNode, defaultPodCIDR, DEFAULT_DATA_DIR } from '../kubelet/index.js';

export const run: CommandModule['run'] = async (argv) => {
  const flags = parseFlags(argv, [
    { name: 'data-dir', short: 'd', kind: 'string' },
    { name: 'help', short: 'h', kind: 'bool' },
  ]);
  if (flagBool(flags, 'help')) {
    process.stdout.write(
      'Usage: skiff cleanup [--data-dir DIR]\n\nStop and remove every container, mount, link, route and iptables rule that the server and agent\nof DIR (default /var/lib/skiff) created, and nothing else. Stop the server first.\n',
    );
    return 0;
  }
  if (flags.positionals.length) throw new UsageError(`unexpected argument: ${flags.positionals[0]}`);
  const dataDir = path.resolve(flagString(flags, 'data-dir') ?? DEFAULT_DATA_DIR);
  // The pod network is found by its data-dir-derived names; the subnet matters only when attaching.
  await cleanupNode(dataDir, defaultPodCIDR('10.42.0.0/16', dataDir));
  process.stdout.write(`skiff cleanup: removed what ${dataDir} created on this host\n`);
  return 0;
};
