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
  if (new RegExp(`dev ${bridge}\\b`).test(routes)) return;
  // Another node on this host may route the same CIDR (one cluster, two agents): each bridge gets its
  // own metric so both routes can exist; DNAT in OUTPUT happens before the device matters.
  for (let metric = 100; metric < 1000; metric++) {
    if (await quiet('ip', ['route', 'add', serviceCIDR, 'dev', bridge, 'metric', String(metric)])) return;
  }
  throw new Error(`cannot route ${serviceCIDR} to ${bridge}: no free route metric`);
}

/** Removes the bridge and the unreachable route; without the CIDR (cleanup), it is read off the bridge's route. */
export async function removeServiceRoute(serviceCIDR: string | undefined, bridge: string): Promise<void> {
  let cidr = serviceCIDR;
  if (!cidr) {
    const routes = await run('ip', ['route', 'show', 'dev', bridge]).then((r) => r.stdout, () => '');
    cidr = routes.split('\n').map((l) => l.trim().split(/\s+/)[0]).find((first) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(first));
  }
  await quiet('ip', ['link', 'del', bridge]);
  if (!cidr) return;
  // The unreachable route stays while another node's bridge still routes the CIDR.
  const remaining = (await run('ip', ['route', 'show', cidr]).then((r) => r.stdout, () => '')).split('\n').filter((l) => / dev /.test(l));
  if (remaining.length) return;
  while (await quiet('ip', ['route', 'del', 'unreachable', cidr])) {
    // a crashed run may have left more than one
  }
}
