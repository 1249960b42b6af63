// docker inspect (containers and images, docker-shaped JSON or a --format template) and the
// `container inspect` / `image inspect` forms.
import path from 'node:path';
import { familiarName, rwSize, type Container, type Engine, type Image } from '../../engine/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagString, parseFlags } from '../flags.js';
import { CliError, withEngine } from './common.js';
import { compile } from './template.js';

export function containerJSON(engine: Engine, c: Container, withSize = false): Record<string, unknown> {
  const dir = engine.containers.dir(c.Id);
  const image = engine.images.get(c.Image);
  const ns = c.NetworkSettings;
  const primary = Object.values(ns.Networks)[0];
  const out: Record<string, unknown> = {
    Id: c.Id,
    Created: c.Created,
    Path: c.Path,
    Args: c.Args,
    State: { ...c.State },
    Image: c.Image,
    ResolvConfPath: path.join(dir, 'resolv.conf'),
    HostnamePath: path.join(dir, 'hostname'),
    HostsPath: path.join(dir, 'hosts'),
    LogPath: c.LogPath,
    Name: c.Name,
    RestartCount: c.RestartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: { ...c.HostConfig },
    GraphDriver: {
      Data: {
        LowerDir: image ? engine.snapshots.lowerDirs(image.chain).join(':') : '',
        MergedDir: path.join(dir, 'rootfs'),
        UpperDir: path.join(dir, 'upper'),
        WorkDir: path.join(dir, 'work'),
      },
      Name: 'overlay2',
    },
    Mounts: c.Mounts.map((m) => ({
      Type: m.Type,
      ...(m.Name ? { Name: m.Name } : {}),
      Source: m.Source,
      Destination: m.Destination,
      Mode: m.RW ? '' : 'ro',
      RW: m.RW,
      Propagation: m.Type === 'bind' ? m.Propagation ?? 'rprivate' : '',
    })),
    Config: { ...c.Config, Labels: c.Config.Labels },
    NetworkSettings: {
      Bridge: '',
      SandboxID: c.Id,
      SandboxKey: ns.SandboxKey,
      Ports: ns.Ports,
      Gateway: primary?.Gateway ?? '',
      IPAddress: primary?.IPAddress ?? '',
      IPPrefixLen: primary?.IPPrefixLen ?? 0,
      MacAddress: primary?.MacAddress ?? '',
      Networks: Object.fromEntries(
        Object.entries(ns.Networks).map(([name, n]) => [
          name,
          { IPAMConfig: null, Links: null, Aliases: null, NetworkID: n.NetworkID, EndpointID: '', Gateway: n.Gateway, IPAddress: n.IPAddress, IPPrefixLen: n.IPPrefixLen, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: n.MacAddress, DriverOpts: null },
        ]),
      ),
    },
  };
  if (withSize) {
    const rw = rwSize(engine, c);
    out.SizeRw = rw;
    out.SizeRootFs = rw + (image?.size ?? 0);
  }
  return out;
}

export function imageJSON(engine: Engine, image: Image): Record<string, unknown> {
  return {
    Id: image.id,
    RepoTags: image.tags.filter((t) => !t.includes('@')).map(familiarName),
    RepoDigests: image.tags.filter((t) => t.includes('@')).map(familiarName),
    Parent: image.parent,
    Comment: image.config.comment ?? '',
    Created: image.created,
    Container: image.config.container ?? '',
    ContainerConfig: image.config.container_config ?? {},
    DockerVersion: image.config.docker_version ?? '',
    Author: image.config.author ?? '',
    Config: image.config.config ?? {},
    Architecture: image.config.architecture,
    Os: image.config.os,
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Data: { LowerDir: engine.snapshots.lowerDirs(image.chain).join(':') }, Name: 'overlay2' },
    RootFS: { Type: 'layers', Layers: image.config.rootfs.diff_ids },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

type Kind = 'container' | 'image' | '';

async function inspectAs(kind: Kind, argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'format', short: 'f', kind: 'string' },
    { name: 'size', short: 's', kind: 'bool' },
    { name: 'type', kind: 'string' },
  ]);
  if (!flags.positionals.length) throw new CliError(`skiff: 'inspect' requires at least 1 argument.\nSee 'skiff inspect --help'.`, 1);
  const type = (flagString(flags, 'type') ?? kind) as Kind;
  return withEngine(globals, async (engine) => {
    const results: Array<Record<string, unknown>> = [];
    let failed = false;
    for (const ref of flags.positionals) {
      const c = type === 'image' ? undefined : engine.containers.find(ref);
      const image = c || type === 'container' ? undefined : engine.images.lookup(ref) ?? (await engine.images.resolve(ref).catch(() => undefined));
      if (c) results.push(containerJSON(engine, c, flagBool(flags, 'size')));
      else if (image) results.push(imageJSON(engine, image));
      else {
        process.stderr.write(`Error: No such ${type === '' ? 'object' : type}: ${ref}\n`);
        failed = true;
      }
    }
    const format = flagString(flags, 'format');
    if (format) {
      const tpl = compile(format);
      for (const r of results) process.stdout.write(tpl.execute(r) + '\n');
    } else {
      process.stdout.write(JSON.stringify(results, null, 4) + '\n');
    }
    return failed ? 1 : 0;
  });
}

export const inspect = (argv: string[], g: GlobalOptions): Promise<number> => inspectAs('', argv, g);
export const containerInspect = (argv: string[], g: GlobalOptions): Promise<number> => inspectAs('container', argv, g);
export const imageInspect = (argv: string[], g: GlobalOptions): Promise<number> => inspectAs('image', argv, g);
