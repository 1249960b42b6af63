// docker's --mount flag: comma-separated key=value fields (type, source/src, target/destination/dst,
// readonly/ro, bind-propagation, tmpfs-size, tmpfs-mode) into the engine's mount spec.
import { invalid } from '../errors.js';
import type { MountSpec } from '../mounts.js';

const PROPAGATIONS = ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'];

function bool(key: string, value: string | undefined, spec: string): boolean {
  if (value === undefined || ['true', '1'].includes(value.toLowerCase())) return true;
  if (['false', '0'].includes(value.toLowerCase())) return false;
  throw invalid(`invalid argument "${spec}" for "--mount" flag: invalid value for ${key}: ${value}`);
}

export function parseMountFlag(spec: string): MountSpec {
  const fail = (why: string): never => {
    throw invalid(`invalid argument "${spec}" for "--mount" flag: ${why}`);
  };
  let type = 'volume';
  let source = '';
  let target = '';
  let readonly = false;
  let propagation: string | undefined;
  const options: string[] = [];
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    switch (key) {
      case 'type':
        type = value ?? '';
        if (!['bind', 'volume', 'tmpfs'].includes(type)) fail(`invalid mount type "${type}"`);
        break;
      case 'source':
      case 'src':
        source = value ?? '';
        break;
      case 'target':
      case 'destination':
      case 'dst':
        target = value ?? '';
        break;
      case 'readonly':
      case 'ro':
        readonly = bool(key, value, spec);
        break;
      case 'bind-propagation':
        if (!value || !PROPAGATIONS.includes(value)) fail(`invalid bind propagation "${value ?? ''}"`);
        propagation = value;
        break;
      case 'tmpfs-size':
        options.push(`size=${value ?? ''}`);
        break;
      case 'tmpfs-mode':
        options.push(`mode=${value ?? ''}`);
        break;
      default:
        fail(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!target) fail('target is required');
  if (!target.startsWith('/')) fail(`invalid mount config: invalid mount path: '${target}' mount path must be absolute`);
  if (type === 'bind') {
    if (!source) fail('invalid mount config for type "bind": field Source must not be empty');
    if (!source.startsWith('/')) fail(`invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`);
    return { Type: 'bind', Source: source, Destination: target, RW: !readonly, Propagation: propagation };
  }
  if (propagation) fail(`invalid mount config for type "${type}": field BindOptions must not be specified`);
  if (type === 'tmpfs') {
    if (source) fail('invalid mount config for type "tmpfs": field Source must not be specified');
    return { Type: 'tmpfs', Source: '', Destination: target, RW: !readonly, Options: options };
  }
  if (options.length) fail('invalid mount config for type "volume": field TmpfsOptions must not be specified');
  return { Type: 'volume', Source: '', Name: source || undefined, Destination: target, RW: !readonly };
}
