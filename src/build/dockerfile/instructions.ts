// Raw nodes → typed instructions grouped into build stages, with docker's validation messages.
// Arguments stay unexpanded here: variable substitution depends on the build's environment at
// each step and is done by the builder through expandInstruction().
import { DockerfileParseError, nodeFromLine, parseDockerfile, type DockerfileNode } from './parser.js';
import { expandWord, expandWords, type EnvLookup } from './shell-lex.js';

export interface KeyValue {
  key: string;
  value: string;
}

interface Base {
  /** The instruction as written (continuations joined), for `Step N/M : …`. */
  original: string;
  line: number;
}

/** A command line in shell form (prependShell) or exec form. */
export interface CommandLine {
  cmd: string[];
  prependShell: boolean;
}

export interface HealthcheckConfig {
  Test: string[];
  /** Durations in nanoseconds, as docker stores them; 0 = inherit the default. */
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export type Instruction =
  | (Base & { kind: 'from'; image: string; stageName?: string; platform?: string })
  | (Base & { kind: 'run' } & CommandLine)
  | (Base & { kind: 'cmd' } & CommandLine)
  | (Base & { kind: 'entrypoint' } & CommandLine)
  | (Base & { kind: 'env'; pairs: KeyValue[] })
  | (Base & { kind: 'label'; pairs: KeyValue[] })
  | (Base & { kind: 'maintainer'; maintainer: string })
  | (Base & { kind: 'expose'; ports: string[] })
  | (Base & { kind: 'volume'; volumes: string[] })
  | (Base & { kind: 'user'; user: string })
  | (Base & { kind: 'workdir'; path: string })
  | (Base & { kind: 'copy'; sources: string[]; dest: string; from?: string; chown?: string; chmod?: string })
  | (Base & { kind: 'add'; sources: string[]; dest: string; chown?: string; chmod?: string })
  | (Base & { kind: 'onbuild'; expression: string })
  | (Base & { kind: 'shell'; shell: string[] })
  | (Base & { kind: 'stopsignal'; signal: string })
  | (Base & { kind: 'healthcheck'; health: HealthcheckConfig })
  | (Base & { kind: 'arg'; args: Array<{ key: string; value?: string }> });

export type FromInstruction = Extract<Instruction, { kind: 'from' }>;
export type ArgInstruction = Extract<Instruction, { kind: 'arg' }>;

export interface Stage {
  /** Lower-cased `AS name`, if any. */
  name?: string;
  index: number;
  from: FromInstruction;
  commands: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM: usable in FROM lines, and re-declarable inside stages. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  escapeToken: string;
  warnings: string[];
}

/** The instruction names docker accepts, upper case. */
export const INSTRUCTIONS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

interface FlagDef {
  kind: 'string' | 'bool';
}

/** Docker's BFlags: `--name=value` (strings need the `=`), `--name[=true|false]` for booleans. */
function parseFlags(raw: string[], defs: Record<string, FlagDef>): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of raw) {
    if (!a.startsWith('--')) throw new Error(`arg should start with -- : ${a}`);
    const eq = a.indexOf('=');
    const flagName = eq < 0 ? a : a.slice(0, eq);
    const value = eq < 0 ? undefined : a.slice(eq + 1);
    const name = flagName.slice(2);
    const def = defs[name];
    if (!def) throw new Error(`unknown flag: ${flagName}`);
    if (out.has(name)) throw new Error(`duplicate flag specified: ${flagName}`);
    if (def.kind === 'bool') {
      if (value === '') throw new Error(`missing a value on flag: ${flagName}`);
      const v = (value ?? 'true').toLowerCase();
      if (v !== 'true' && v !== 'false') throw new Error(`expecting boolean value for flag ${flagName}, not: ${value}`);
      out.set(name, v);
    } else {
      if (value === undefined) throw new Error(`missing a value on flag: ${flagName}`);
      out.set(name, value);
    }
  }
  return out;
}

const atLeastOne = (c: string): Error => new Error(`${c} requires at least one argument`);
const exactlyOne = (c: string): Error => new Error(`${c} requires exactly one argument`);
const noDest = (c: string): Error =>
  new Error(`${c} requires at least two arguments, but only one was provided. Destination could not be determined`);

function pairs(args: string[], cmd: string): KeyValue[] {
  if (args.length === 0) throw atLeastOne(cmd);
  const out: KeyValue[] = [];
  for (let i = 0; i < args.length; i += 3) {
    if (args[i].length === 0) throw new Error(`${cmd} names can not be blank`);
    out.push({ key: args[i], value: args[i + 1] });
  }
  return out;
}

function commandLine(node: DockerfileNode, args: string[], emptyAsNil: boolean): CommandLine {
  const cmd = node.json ? args : args.length ? [args.join(' ')] : [];
  return { cmd: emptyAsNil && cmd.length === 0 ? [] : cmd, prependShell: !node.json };
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, to nanoseconds. */
export function parseGoDuration(text: string): number {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let sign = 1;
  let s = text;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '') throw new Error(`time: invalid duration "${text}"`);
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += parseFloat(m[1]) * DURATION_UNITS[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== s.length) throw new Error(`time: invalid duration "${text}"`);
  return Math.round(sign * total);
}

function interval(flags: Map<string, string>, name: string): number | undefined {
  const v = flags.get(name);
  if (!v) return undefined;
  const d = parseGoDuration(v);
  if (d === 0) return undefined;
  if (d < 1e6) throw new Error(`Interval "${name}" cannot be less than 1ms`);
  return d;
}

/** Builds the typed instruction for one node; throws Error with docker's message (no location). */
function toInstruction(node: DockerfileNode): Instruction {
  const base: Base = { original: node.original.trim(), line: node.startLine };
  const args = node.args;
  const noFlags = (): void => void parseFlags(node.flags, {});
  switch (node.cmd) {
    case 'from': {
      let stageName: string | undefined;
      if (args.length === 3 && args[1].toLowerCase() === 'as') {
        stageName = args[2].toLowerCase();
        if (!STAGE_NAME.test(stageName)) {
          throw new Error(`invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`);
        }
      } else if (args.length !== 1) {
        throw new Error('FROM requires either one or three arguments');
      }
      const flags = parseFlags(node.flags, { platform: { kind: 'string' } });
      return { ...base, kind: 'from', image: args[0], stageName, platform: flags.get('platform') || undefined };
    }
    case 'run': {
      for (const f of node.flags) {
        const name = f.replace(/^--/, '').split('=')[0];
        if (['mount', 'network', 'security', 'device'].includes(name)) {
          throw new Error(`the --${name} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`);
        }
      }
      noFlags();
      return { ...base, kind: 'run', ...commandLine(node, args, false) };
    }
    case 'cmd':
      noFlags();
      return { ...base, kind: 'cmd', ...commandLine(node, args, false) };
    case 'entrypoint':
      noFlags();
      return { ...base, kind: 'entrypoint', ...commandLine(node, args, true) };
    case 'env':
      noFlags();
      return { ...base, kind: 'env', pairs: pairs(args, 'ENV') };
    case 'label':
      noFlags();
      return { ...base, kind: 'label', pairs: pairs(args, 'LABEL') };
    case 'maintainer':
      if (args.length !== 1) throw exactlyOne('MAINTAINER');
      noFlags();
      return { ...base, kind: 'maintainer', maintainer: args[0] };
    case 'expose':
      if (args.length === 0) throw atLeastOne('EXPOSE');
      noFlags();
      return { ...base, kind: 'expose', ports: [...args].sort() };
    case 'volume': {
      if (args.length === 0) throw atLeastOne('VOLUME');
      noFlags();
      const volumes = args.map((v) => v.trim());
      if (volumes.some((v) => v === '')) throw new Error('VOLUME specified can not be an empty string');
      return { ...base, kind: 'volume', volumes };
    }
    case 'user':
      if (args.length !== 1) throw exactlyOne('USER');
      noFlags();
      return { ...base, kind: 'user', user: args[0] };
    case 'workdir':
      if (args.length !== 1) throw exactlyOne('WORKDIR');
      noFlags();
      return { ...base, kind: 'workdir', path: args[0] };
    case 'copy': {
      if (args.length < 2) throw noDest('COPY');
      const flags = parseFlags(node.flags, {
        from: { kind: 'string' }, chown: { kind: 'string' }, chmod: { kind: 'string' }, link: { kind: 'bool' },
      });
      return {
        ...base, kind: 'copy', sources: args.slice(0, -1), dest: args[args.length - 1],
        from: flags.get('from') || undefined, chown: flags.get('chown') || undefined, chmod: flags.get('chmod') || undefined,
      };
    }
    case 'add': {
      if (args.length < 2) throw noDest('ADD');
      const flags = parseFlags(node.flags, { chown: { kind: 'string' }, chmod: { kind: 'string' }, link: { kind: 'bool' } });
      return {
        ...base, kind: 'add', sources: args.slice(0, -1), dest: args[args.length - 1],
        chown: flags.get('chown') || undefined, chmod: flags.get('chmod') || undefined,
      };
    }
    case 'onbuild': {
      if (args.length === 0) throw atLeastOne('ONBUILD');
      noFlags();
      const trigger = args[0].trim().toUpperCase();
      if (trigger === 'ONBUILD') throw new Error('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new Error(`${trigger} isn't allowed as an ONBUILD trigger`);
      return { ...base, kind: 'onbuild', expression: node.original.replace(/^\s*ONBUILD\s*/i, '') };
    }
    case 'shell': {
      noFlags();
      const { cmd } = commandLine(node, args, false);
      if (cmd.length === 0) throw atLeastOne('SHELL');
      if (!node.json) throw new Error('SHELL requires the arguments to be in JSON form');
      return { ...base, kind: 'shell', shell: cmd };
    }
    case 'stopsignal':
      if (args.length !== 1) throw exactlyOne('STOPSIGNAL');
      return { ...base, kind: 'stopsignal', signal: args[0] };
    case 'healthcheck': {
      if (args.length === 0) throw atLeastOne('HEALTHCHECK');
      const type = args[0].toUpperCase();
      const rest = args.slice(1);
      if (type === 'NONE') {
        if (rest.length !== 0) throw new Error('HEALTHCHECK NONE takes no arguments');
        return { ...base, kind: 'healthcheck', health: { Test: ['NONE'] } };
      }
      const flags = parseFlags(node.flags, {
        interval: { kind: 'string' }, timeout: { kind: 'string' }, 'start-period': { kind: 'string' },
        'start-interval': { kind: 'string' }, retries: { kind: 'string' },
      });
      if (type !== 'CMD') throw new Error(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
      const { cmd } = commandLine(node, rest, false);
      if (cmd.length === 0) throw new Error('Missing command after HEALTHCHECK CMD');
      const health: HealthcheckConfig = { Test: [node.json ? 'CMD' : 'CMD-SHELL', ...cmd] };
      health.Interval = interval(flags, 'interval');
      health.Timeout = interval(flags, 'timeout');
      health.StartPeriod = interval(flags, 'start-period');
      health.StartInterval = interval(flags, 'start-interval');
      const retries = flags.get('retries');
      if (retries) {
        if (!/^-?\d+$/.test(retries)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(retries)}: invalid syntax`);
        const n = Number(retries);
        if (n < 0) throw new Error(`--retries cannot be negative (${n})`);
        health.Retries = n;
      }
      return { ...base, kind: 'healthcheck', health };
    }
    case 'arg': {
      if (args.length === 0) throw atLeastOne('ARG');
      noFlags();
      return {
        ...base, kind: 'arg',
        args: args.map((a) => {
          const eq = a.indexOf('=');
          if (eq < 0) return { key: a };
          if (eq === 0) throw new Error('ARG names can not be blank');
          return { key: a.slice(0, eq), value: a.slice(eq + 1) };
        }),
      };
    }
    default:
      throw new Error(`unknown instruction: ${node.rawCmd}`);
  }
}

function located(node: DockerfileNode): Instruction {
  try {
    return toInstruction(node);
  } catch (err) {
    throw new DockerfileParseError(node.startLine, (err as Error).message);
  }
}

/** Parses a whole Dockerfile into meta ARGs and stages. */
export function parse(text: string): Dockerfile {
  const parsed = parseDockerfile(text);
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const node of parsed.nodes) {
    const ins = located(node);
    if (ins.kind === 'from') {
      stages.push({ name: ins.stageName, index: stages.length, from: ins, commands: [] });
    } else if (stages.length === 0) {
      if (ins.kind !== 'arg') {
        throw new DockerfileParseError(node.startLine, 'no build stage in current context');
      }
      metaArgs.push(ins);
    } else {
      stages[stages.length - 1].commands.push(ins);
    }
  }
  if (stages.length === 0) throw new DockerfileParseError(parsed.nodes[parsed.nodes.length - 1].endLine, 'no build stage in current context');
  return { metaArgs, stages, escapeToken: parsed.escapeToken, warnings: parsed.warnings };
}

/** Parses an ONBUILD trigger stored in a base image's config. */
export function parseTrigger(expression: string, escape = '\\'): Instruction {
  const node = { ...nodeFromLine(expression, escape), startLine: 0, endLine: 0 };
  const ins = toInstruction(node);
  if (ins.kind === 'from' || ins.kind === 'onbuild' || ins.kind === 'maintainer') {
    throw new Error(`${ins.kind.toUpperCase()} isn't allowed as an ONBUILD trigger`);
  }
  return ins;
}

/**
 * Substitutes variables in the instructions docker expands (ENV, LABEL, ADD, COPY, WORKDIR, USER,
 * VOLUME, STOPSIGNAL, EXPOSE, ARG, FROM); RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD and
 * MAINTAINER are left as written for the container's shell.
 */
export function expandInstruction(ins: Instruction, env: EnvLookup, escape = '\\'): Instruction {
  const w = (s: string): string => expandWord(s, env, escape);
  const opt = (s: string | undefined): string | undefined => (s === undefined ? undefined : w(s));
  switch (ins.kind) {
    case 'from':
      return { ...ins, image: w(ins.image), platform: opt(ins.platform) };
    case 'env':
    case 'label':
      return { ...ins, pairs: ins.pairs.map((p) => ({ key: w(p.key), value: w(p.value) })) };
    case 'copy':
      return { ...ins, sources: ins.sources.map(w), dest: w(ins.dest), chown: opt(ins.chown), chmod: opt(ins.chmod), from: opt(ins.from) };
    case 'add':
      return { ...ins, sources: ins.sources.map(w), dest: w(ins.dest), chown: opt(ins.chown), chmod: opt(ins.chmod) };
    case 'workdir':
      return { ...ins, path: w(ins.path) };
    case 'user':
      return { ...ins, user: w(ins.user) };
    case 'volume':
      return { ...ins, volumes: ins.volumes.map(w) };
    case 'stopsignal':
      return { ...ins, signal: w(ins.signal) };
    case 'expose':
      return { ...ins, ports: ins.ports.flatMap((p) => expandWords(p, env, escape)) };
    case 'arg':
      return { ...ins, args: ins.args.map((a) => ({ key: w(a.key), value: opt(a.value) })) };
    default:
      return ins;
  }
}
