// One flag parser for every skiff command: docker-style (`-it`, `-p 80:80 -p 81:81`, `--name=x`,
// flags stop at the first positional when `stopAtPositional` is set, as docker's `run IMAGE CMD...`).

export type FlagKind = 'bool' | 'string' | 'list' | 'int';

export interface FlagSpec {
  /** Long name without dashes, e.g. "name". */
  name: string;
  /** One-letter alias without dash, e.g. "n". */
  short?: string;
  kind: FlagKind;
  /** Other accepted long names (k3s/docker synonyms). */
  aliases?: string[];
  description?: string;
}

export interface ParsedFlags {
  flags: Map<string, string | boolean | number | string[]>;
  positionals: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParseOptions {
  /** Stop reading flags at the first positional argument (docker run IMAGE [CMD...]). */
  stopAtPositional?: boolean;
}

export function parseFlags(argv: string[], specs: FlagSpec[], options: ParseOptions = {}): ParsedFlags {
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const spec of specs) {
    byLong.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) byLong.set(alias, spec);
    if (spec.short) byShort.set(spec.short, spec);
  }
  const flags = new Map<string, string | boolean | number | string[]>();
  const positionals: string[] = [];

  const assign = (spec: FlagSpec, raw: string | undefined, shown: string): void => {
    switch (spec.kind) {
      case 'bool': {
        if (raw === undefined || raw === 'true') flags.set(spec.name, true);
        else if (raw === 'false') flags.set(spec.name, false);
        else throw new UsageError(`invalid argument "${raw}" for "${shown}" flag: expected true or false`);
        return;
      }
      case 'int': {
        if (raw === undefined || !/^-?\d+$/.test(raw)) {
          throw new UsageError(`invalid argument "${raw ?? ''}" for "${shown}" flag: expected an integer`);
        }
        flags.set(spec.name, Number(raw));
        return;
      }
      case 'list': {
        const list = (flags.get(spec.name) as string[] | undefined) ?? [];
        list.push(raw ?? '');
        flags.set(spec.name, list);
        return;
      }
      case 'string':
        flags.set(spec.name, raw ?? '');
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
      if (value === undefined && spec.kind !== 'bool') {
        if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${name}`);
        value = argv[++i];
      }
      assign(spec, value, `--${name}`);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      // A cluster of short flags: -it, -p80:80, -e=A=B
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j];
        const spec = byShort.get(letter);
        if (!spec) throw new UsageError(`unknown shorthand flag: '${letter}' in ${arg}`);
        if (spec.kind === 'bool') {
          assign(spec, undefined, `-${letter}`);
          continue;
        }
        let value = arg.slice(j + 1);
        if (value.startsWith('=')) value = value.slice(1);
        if (value === '') {
          if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: '${letter}' in -${letter}`);
          value = argv[++i];
        }
        assign(spec, value, `-${letter}`);
        break;
      }
      continue;
    }
    positionals.push(arg);
    if (options.stopAtPositional) {
      positionals.push(...argv.slice(i + 1));
      break;
    }
  }
  return { flags, positionals };
}

/** Typed accessors so commands read flags without casts. */
export function flagString(p: ParsedFlags, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
export function flagBool(p: ParsedFlags, name: string): boolean {
  return p.flags.get(name) === true;
}
export function flagInt(p: ParsedFlags, name: string): number | undefined {
  const v = p.flags.get(name);
  return typeof v === 'number' ? v : undefined;
}
export function flagList(p: ParsedFlags, name: string): string[] {
  const v = p.flags.get(name);
  return Array.isArray(v) ? v : [];
}
