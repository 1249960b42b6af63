// The service CIDR must never reach the real network (DESIGN.md §5), yet the node itself must reach
// ClusterIPs: the kernel picks a route before the OUTPUT chain's DNAT, so an `unreachable` route alone
// would refuse every connection from the node. We route the CIDR into an empty skiff-owned bridge (no
// ports: unprogrammed addresses go nowhere) and keep an `unreachable` route behind it for when the
// bridge is gone.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function quiet(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args);
    return true;
  } catch {
    return false;
  }
}

export async function ensureServiceRoute(serviceCIDR: string, bridge: string): Promise<void> {
  const routes = (await run('ip', ['route', 'show', serviceCIDR])).stdout;
  if (!/^unreachable /m.test(routes)) await run('ip', ['route', 'add', 'unreachable', serviceCIDR, 'metric', '1000']);
  if (!(await quiet('ip', ['link', 'show', bridge]))) await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  await run('ip', ['link', 'set', bridge, 'up']);
  if (!new RegExp(`dev ${bridge}\\b`).test(routes)) await run('ip', ['route', 'add', serviceCIDR, 'dev', bridge, 'metric', '100']);
}

export async function removeServiceRoute(serviceCIDR: string, bridge: string): Promise<void> {
  await quiet('ip', ['link', 'del', bridge]);
  while (await quiet('ip', ['route', 'del', 'unreachable', serviceCIDR])) {
    // a crashed run may have left more than one
  }
}
