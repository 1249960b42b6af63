// docker network create/ls/inspect/rm/connect/disconnect/prune on the engine's networks.
import { connectContainer, disconnectContainer, filtersFromFlags, networkFilter, type CreateOptions, type Engine } from '../../engine/index.js';
import type { EngineNetworks, NetworkRecord } from '../../engine/networks/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagList, flagString, parseFlags } from '../flags.js';
import { CliError, renderFormat, tabular, withEngine } from './common.js';
import { confirm } from './system.js';
import { compile } from './template.js';

async function withNetworks<T>(globals: GlobalOptions, fn: (nets: EngineNetworks, engine: Engine) => Promise<T>): Promise<T> {
  const { EngineNetworks } = await import('../../engine/networks/index.js');
  const nets = new EngineNetworks(globals.root);
  try {
    return await withEngine(globals, (engine) => fn(nets, engine));
  } finally {
    nets.close();
  }
}

function labelsOf(specs: string[]): Record<string, string> {
  return Object.fromEntries(specs.map((l) => [l.split('=')[0], l.includes('=') ? l.slice(l.indexOf('=') + 1) : '']));
}

/** The inspect shape: the record plus its attached containers. */
export function networkJSON(nets: EngineNetworks, n: NetworkRecord): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  for (const e of nets.endpoints({ networkId: n.Id })) {
    containers[e.containerId] = { Name: e.containerName, EndpointID: e.endpointId, MacAddress: e.mac, IPv4Address: `${e.ip}/${e.prefixLen}`, IPv6Address: '' };
  }
  const { Name, Id, Created, Scope, Driver, EnableIPv6, IPAM, Internal, Attachable, Ingress, ConfigFrom, ConfigOnly, Options, Labels } = n;
  return { Name, Id, Created, Scope, Driver, EnableIPv6, IPAM, Internal, Attachable, Ingress, ConfigFrom, ConfigOnly, Containers: containers, Options, Labels };
}

async function create(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'driver', short: 'd', kind: 'string' },
    { name: 'subnet', kind: 'list' },
    { name: 'gateway', kind: 'list' },
    { name: 'internal', kind: 'bool' },
    { name: 'label', kind: 'list' },
    { name: 'attachable', kind: 'bool' },
  ]);
  if (flags.positionals.length !== 1) throw new CliError(`skiff: 'network create' requires exactly 1 argument.\nSee 'skiff network create --help'.`, 1);
  return withNetworks(globals, async (nets) => {
    const n = nets.create({
      name: flags.positionals[0],
      driver: flagString(flags, 'driver'),
      subnet: flagList(flags, 'subnet')[0],
      gateway: flagList(flags, 'gateway')[0],
      internal: flagBool(flags, 'internal'),
      labels: labelsOf(flagList(flags, 'label')),
    });
    process.stdout.write(`${n.Id}\n`);
    return 0;
  });
}

async function ls(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'format', kind: 'string' },
    { name: 'filter', short: 'f', kind: 'list' },
    { name: 'no-trunc', kind: 'bool' },
  ]);
  return withNetworks(globals, async (nets) => {
    const list = nets.list().filter(networkFilter(filtersFromFlags(flagList(flags, 'filter'))));
    const id = (n: NetworkRecord): string => (flagBool(flags, 'no-trunc') ? n.Id : n.Id.slice(0, 12));
    if (flagBool(flags, 'quiet')) {
      process.stdout.write(list.map((n) => `${id(n)}\n`).join(''));
      return 0;
    }
    const items = list.map((n) => ({ ID: id(n), Name: n.Name, Driver: n.Driver, Scope: n.Scope, IPv6: String(n.EnableIPv6), Internal: String(n.Internal), CreatedAt: n.Created, Labels: Object.entries(n.Labels).map(([k, v]) => `${k}=${v}`).join(',') }));
    const format = flagString(flags, 'format') ?? 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
    process.stdout.write(renderFormat(format, { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', CreatedAt: 'CREATED AT', Labels: 'LABELS' }, items));
    return 0;
  });
}

async function inspect(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'format', short: 'f', kind: 'string' }, { name: 'verbose', short: 'v', kind: 'bool' }]);
  if (!flags.positionals.length) throw new CliError(`skiff: 'network inspect' requires at least 1 argument.\nSee 'skiff network inspect --help'.`, 1);
  return withNetworks(globals, async (nets) => {
    const found: Array<Record<string, unknown>> = [];
    let code = 0;
    for (const ref of flags.positionals) {
      const n = nets.find(ref);
      if (!n) {
        process.stderr.write(`Error response from daemon: network ${ref} not found\n`);
        code = 1;
        continue;
      }
      found.push(networkJSON(nets, n));
    }
    const format = flagString(flags, 'format');
    if (format) {
      const tpl = compile(format);
      process.stdout.write(found.map((n) => tpl.execute(n) + '\n').join(''));
    } else process.stdout.write(JSON.stringify(found, null, 4) + '\n');
    return code;
  });
}

async function rm(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'force', short: 'f', kind: 'bool' }]);
  if (!flags.positionals.length) throw new CliError(`skiff: 'network rm' requires at least 1 argument.\nSee 'skiff network rm --help'.`, 1);
  return withNetworks(globals, async (nets) => {
    let code = 0;
    for (const ref of flags.positionals) {
      try {
        await nets.remove(ref);
        process.stdout.write(`${ref}\n`);
      } catch (err) {
        if (flagBool(flags, 'force') && /not found/.test((err as Error).message)) continue;
        process.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
        code = 1;
      }
    }
    return code;
  });
}

async function connect(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'alias', kind: 'list' }, { name: 'ip', kind: 'string' }]);
  if (flags.positionals.length !== 2) throw new CliError(`skiff: 'network connect' requires exactly 2 arguments.\nSee 'skiff network connect --help'.`, 1);
  const [netRef, ctrRef] = flags.positionals;
  return withNetworks(globals, async (nets, engine) => {
    await connectContainer(engine, nets, netRef, ctrRef, { aliases: flagList(flags, 'alias'), ip: flagString(flags, 'ip') });
    return 0;
  });
}

async function disconnect(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'force', short: 'f', kind: 'bool' }]);
  if (flags.positionals.length !== 2) throw new CliError(`skiff: 'network disconnect' requires exactly 2 arguments.\nSee 'skiff network disconnect --help'.`, 1);
  const [netRef, ctrRef] = flags.positionals;
  return withNetworks(globals, async (nets, engine) => {
    await disconnectContainer(engine, nets, netRef, ctrRef);
    return 0;
  });
}

async function prune(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'force', short: 'f', kind: 'bool' }, { name: 'filter', kind: 'list' }]);
  if (!flagBool(flags, 'force') && !(await confirm('WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?'))) return 0;
  return withNetworks(globals, async (nets) => {
    const removed = await nets.prune();
    if (removed.length) process.stdout.write(`Deleted Networks:\n${removed.join('\n')}\n\n`);
    return 0;
  });
}

/**
 * docker run -P: every port the image EXPOSEs (and --expose adds) gets a random host port, unless -p
 * already binds it.
 */
export async function publishExposed(engine: Engine, opts: CreateOptions, extra: string[]): Promise<void> {
  const image = await engine.images.resolve(opts.image);
  const ports = [...Object.keys(image.config.config?.ExposedPorts ?? {}), ...extra.map((p) => (p.includes('/') ? p : `${p}/tcp`))];
  const bindings = (opts.hostConfig ??= {}).PortBindings ?? {};
  for (const key of ports) bindings[key] ??= [{ HostIp: '', HostPort: '' }];
  opts.hostConfig.PortBindings = bindings;
}

/**
 * `skiff system reset` (podman's): every container, network, volume and image of this root removed, and
 * what they held on the host (mounts, links, chains, cgroups) released; then the root itself goes.
 */
export async function systemReset(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [{ name: 'force', short: 'f', kind: 'bool' }]);
  const warning = `WARNING! This will remove:\n - all containers\n - all images\n - all networks\n - all volumes\n - the engine root: ${globals.root}`;
  if (!flagBool(flags, 'force') && !(await confirm(`${warning}\nAre you sure you want to continue?`))) return 0;
  await withNetworks(globals, async (nets, engine) => {
    await engine.removeAll();
    await nets.reset();
  });
  const fs = await import('node:fs');
  fs.rmSync(globals.root, { recursive: true, force: true, maxRetries: 5 });
  return 0;
}

const subcommands: Record<string, (argv: string[], globals: GlobalOptions) => Promise<number>> = {
  create, ls, list: ls, inspect, rm, remove: rm, connect, disconnect, prune,
};

/** `docker network SUBCOMMAND`. */
export async function network(argv: string[], globals: GlobalOptions): Promise<number> {
  const sub = subcommands[argv[0] ?? ''];
  if (!sub) {
    process.stdout.write(tabular(['Usage:\tskiff network COMMAND', '', 'Commands:', ...Object.keys(subcommands).map((c) => `  ${c}`)]));
    return argv.length ? 1 : 0;
  }
  return sub(argv.slice(1), globals);
}
