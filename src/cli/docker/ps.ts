// docker ps: columns, filters, -q/-a/-l/-n/-s and --format, from the engine's container records.
import { filtersFromFlags, humanDuration, listContainers, rwSize, statusText, type Container, type Engine } from '../../engine/index.js';
import type { GlobalOptions } from '../command.js';
import { flagBool, flagInt, flagList, flagString, parseFlags } from '../flags.js';
import { humanSize, renderFormat, withEngine } from './common.js';

export function commandText(c: Container, trunc: boolean): string {
  const cmd = [c.Path, ...c.Args].join(' ');
  if (!trunc) return JSON.stringify(cmd);
  const chars = [...cmd];
  return JSON.stringify(chars.length > 20 ? `${chars.slice(0, 19).join('')}…` : cmd);
}

export function portsText(c: Container): string {
  const out: string[] = [];
  for (const [port, bindings] of Object.entries(c.NetworkSettings.Ports ?? {})) {
    if (!bindings || !bindings.length) out.push(port);
    else for (const b of bindings) out.push(`${b.HostIp || '0.0.0.0'}:${b.HostPort}->${port}`);
  }
  return out.join(', ');
}


/** The fields docker's ps formatter offers to --format templates. */
export function psContext(c: Container, engine: Engine, opts: { trunc: boolean; size: boolean }): Record<string, unknown> {
  const labels = Object.entries(c.Config.Labels).map(([k, v]) => `${k}=${v}`).join(',');
  let size = '';
  if (opts.size) {
    const image = engine.images.get(c.Image);
    size = `${humanSize(rwSize(engine, c))} (virtual ${humanSize(rwSize(engine, c) + (image?.size ?? 0))})`;
  }
  return {
    ID: opts.trunc ? c.Id.slice(0, 12) : c.Id,
    Image: c.ImageName,
    Command: commandText(c, opts.trunc),
    CreatedAt: new Date(c.Created).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC'),
    RunningFor: `${humanDuration(Date.now() - Date.parse(c.Created))} ago`,
    Ports: portsText(c),
    State: c.State.Status,
    Status: statusText(c),
    Size: size,
    Names: c.Name.slice(1),
    Labels: labels,
    Mounts: c.Mounts.map((m) => m.Name ?? m.Source).join(','),
    Networks: Object.keys(c.NetworkSettings.Networks).join(','),
  };
}

const HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS',
  State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Mounts: 'MOUNTS', Networks: 'NETWORKS',
};

export async function ps(argv: string[], globals: GlobalOptions): Promise<number> {
  const flags = parseFlags(argv, [
    { name: 'all', short: 'a', kind: 'bool' },
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'size', short: 's', kind: 'bool' },
    { name: 'latest', short: 'l', kind: 'bool' },
    { name: 'last', short: 'n', kind: 'int' },
    { name: 'filter', short: 'f', kind: 'list' },
    { name: 'format', kind: 'string' },
    { name: 'no-trunc', kind: 'bool' },
  ]);
  return withEngine(globals, async (engine) => {
    const list = listContainers(engine, {
      all: flagBool(flags, 'all'),
      limit: flagBool(flags, 'latest') ? 1 : flagInt(flags, 'last'),
      filters: filtersFromFlags(flagList(flags, 'filter')),
    });
    const trunc = !flagBool(flags, 'no-trunc');
    if (flagBool(flags, 'quiet')) {
      process.stdout.write(list.map((c) => (trunc ? c.Id.slice(0, 12) : c.Id) + '\n').join(''));
      return 0;
    }
    const size = flagBool(flags, 'size');
    let format = flagString(flags, 'format') ?? 'table';
    if (format === 'table') {
      format = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}' + (size ? '\t{{.Size}}' : '');
    }
    const items = list.map((c) => psContext(c, engine, { trunc, size: size || format.includes('.Size') }));
    process.stdout.write(renderFormat(format, HEADERS, items));
    return 0;
  });
}
