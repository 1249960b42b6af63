// `skiff hollow-nodes --count N --kubeconfig FILE [--cpu C] [--memory M] [--pods P] [--name-prefix X]`:
// registers N fake nodes and plays their kubelet until interrupted.
import { clientFromKubeconfig } from '../client/index.js';
import { startHollowNodes } from '../scheduler/index.js';
import type { CommandModule } from './command.js';
import { flagBool, flagInt, flagString, parseFlags, UsageError } from './flags.js';

const USAGE = 'Usage: skiff hollow-nodes --count N --kubeconfig FILE [--cpu C] [--memory M] [--pods P] [--name-prefix X] [--lease-renew-seconds S]';

export const run: CommandModule['run'] = async (argv) => {
  const p = parseFlags(argv, [
    { name: 'help', short: 'h', kind: 'bool' },
    { name: 'count', kind: 'int' },
    { name: 'kubeconfig', kind: 'string' },
    { name: 'cpu', kind: 'string' },
    { name: 'memory', kind: 'string' },
    { name: 'pods', kind: 'int' },
    { name: 'name-prefix', kind: 'string' },
    { name: 'lease-renew-seconds', kind: 'int' },
  ]);
  if (flagBool(p, 'help')) {
    process.stdout.write(`${USAGE}\n\nRegister N fake nodes and play their kubelet until interrupted.\n`);
    return 0;
  }
  const count = flagInt(p, 'count');
  const kubeconfig = flagString(p, 'kubeconfig') ?? process.env.KUBECONFIG;
  if (count === undefined || count < 1) throw new UsageError('hollow-nodes: --count N (N >= 1) is required');
  if (!kubeconfig) throw new UsageError('hollow-nodes: --kubeconfig FILE is required');
  const rest = clientFromKubeconfig(kubeconfig, { maxSockets: 32 });
  const renew = flagInt(p, 'lease-renew-seconds');
  const hollow = await startHollowNodes({
    rest,
    count,
    cpu: flagString(p, 'cpu'),
    memory: flagString(p, 'memory'),
    pods: flagInt(p, 'pods'),
    namePrefix: flagString(p, 'name-prefix'),
    leaseRenewMs: renew !== undefined ? renew * 1000 : undefined,
  });
  process.stdout.write(`${hollow.names.length} hollow nodes registered (${hollow.names[0]} .. ${hollow.names[hollow.names.length - 1]})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await hollow.stop();
  rest.close();
  return 0;
};
