// Mount specs a container gets beyond its root filesystem. Volumes (issue 5) resolve to bind sources
// before they reach the engine, so the engine only knows binds and tmpfs.
export interface MountSpec {
  Type: 'bind' | 'tmpfs' | 'volume';
  /** Host path (bind, and a volume's resolved directory); empty for tmpfs. */
  Source: string;
  Destination: string;
  /** Volume name when Type is volume. */
  Name?: string;
  RW: boolean;
  /** Extra mount options (rprivate, size=…, mode=…). */
  Options?: string[];
  /** Bind propagation, default rprivate. */
  Propagation?: string;
  /** docker's -v creates a missing host directory; --mount type=bind does not. */
  CreateHostPath?: boolean;
}

/** Parses docker's -v/--volume host-path form `SRC:DST[:ro|rw]`; named volumes are the volume driver's job. */
export function parseBind(spec: string): MountSpec {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
    throw new Error(`invalid volume specification: '${spec}'`);
  }
  const [src, dst, mode = 'rw'] = parts;
  if (!dst.startsWith('/')) throw new Error(`invalid volume specification: '${spec}': destination must be an absolute path`);
  const opts = mode.split(',');
  if (!src.startsWith('/')) return { Type: 'volume', Source: '', Name: src, Destination: dst, RW: !opts.includes('ro') };
  return { Type: 'bind', Source: src, Destination: dst, RW: !opts.includes('ro'), CreateHostPath: true };
}
