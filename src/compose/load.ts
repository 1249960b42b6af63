// Loading a project as docker compose v2 does: find the file(s) (or take -f, repeated = merged), read
// `.env` from the project directory, interpolate `${VAR:-default}` with the shell environment winning
// over `.env`, normalise every service, merge the files in order, then resolve what depends on the
// whole project: the project name, default network, top-level network/volume names, env_file
// contents, profiles, and the references between services, networks and volumes.
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { parseDotenv } from './dotenv.js';
import { interpolateTree } from './interpolate.js';
import { mergeService, mergeValue } from './merge.js';
import { isObject, keyValues, normalizeService, replicas } from './normalize.js';
import { dependencyOrder } from './order.js';
import { ComposeError, type NetworkConfig, type Project, type Service, type VolumeConfig } from './types.js';

export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const OVERRIDE_FILES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];
const TOP_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'include', 'models']);

export interface LoadOptions {
  /** -f, in order; empty: look for the default names in cwd and its parents. */
  files?: string[];
  /** -p / --project-name. */
  projectName?: string;
  /** --project-directory. */
  projectDirectory?: string;
  /** --env-file, instead of `<project dir>/.env`. */
  envFiles?: string[];
  /** --profile (plus COMPOSE_PROFILES). */
  profiles?: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Where warnings go (docker compose prints them as `WARN[0000] …` on stderr). */
  warn?: (message: string) => void;
}

/** The default file in `dir` or the nearest parent, and its override file beside it when present. */
export function findComposeFiles(cwd: string): string[] {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const found = DEFAULT_FILES.find((f) => fs.existsSync(path.join(dir, f)));
    if (found) {
      const override = OVERRIDE_FILES.find((f) => fs.existsSync(path.join(dir, f)));
      return [path.join(dir, found), ...(override ? [path.join(dir, override)] : [])];
    }
    if (dir === path.dirname(dir)) throw new ComposeError('no configuration file provided: not found');
  }
}

/** docker compose's project name rule: lowercase letters, digits, `-` and `_`, starting with a letter or digit. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}

function checkProjectName(name: string): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
    throw new ComposeError(`invalid project name ${JSON.stringify(name)}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`);
  }
  return name;
}

function readYaml(file: string, text: string): Record<string, unknown> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = lines.linePos(e.pos[0]).line;
    throw new ComposeError(`${file}: yaml: ${line ? `line ${line}: ` : ''}${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (value === null || value === undefined) throw new ComposeError(`${file}: empty compose file`);
  if (!isObject(value)) throw new ComposeError(`${file}: top-level object must be a mapping`);
  return value;
}

interface FileModel {
  name?: string;
  services: Record<string, Service>;
  networks: Record<string, unknown>;
  volumes: Record<string, unknown>;
}

function loadFile(file: string, workingDir: string, lookup: (k: string) => string | undefined, warn: (m: string) => void): FileModel {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ComposeError(`open ${file}: no such file or directory`);
  }
  const raw = readYaml(file, text);
  for (const k of Object.keys(raw)) if (!TOP_KEYS.has(k) && !k.startsWith('x-')) throw new ComposeError(`validating ${file}: additional properties '${k}' not allowed`);
  if (raw.version !== undefined) warn(`${file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
  const missing = new Set<string>();
  let tree: Record<string, unknown>;
  try {
    tree = interpolateTree(raw, lookup, (name) => missing.add(name)) as Record<string, unknown>;
  } catch (err) {
    throw new ComposeError(`${file}: ${(err as Error).message}`);
  }
  for (const name of missing) warn(`The "${name}" variable is not set. Defaulting to a blank string.`);
  const section = (k: string): Record<string, unknown> => {
    const v = tree[k];
    if (v === undefined || v === null) return {};
    if (!isObject(v)) throw new ComposeError(`validating ${file}: ${k} must be a mapping`);
    return v;
  };
  const rawServices = section('services');
  // `extends`: the base service (of this file, or of `file` with paths relative to that file) with
  // this service's own fields merged over it, as -f files merge.
  const resolve = (name: string, trail: string[]): Service => {
    const raw = rawServices[name];
    const own = normalizeService(name, raw, workingDir, lookup);
    const ext = isObject(raw) ? raw.extends : undefined;
    if (ext === undefined) return own;
    const ref = typeof ext === 'string' ? { service: ext, file: undefined } : isObject(ext) ? { service: String(ext.service), file: typeof ext.file === 'string' ? ext.file : undefined } : undefined;
    if (!ref) throw new ComposeError(`services.${name}.extends must be a string or a mapping`);
    if ((ref.service === name || trail.includes(ref.service)) && !ref.file) throw new ComposeError(`circular reference with extends in ${[...trail, name, ref.service].join(' -> ')}`);
    let base: Service | undefined;
    const from = ref.file ? path.resolve(path.dirname(file), ref.file) : file;
    if (ref.file) base = loadFile(from, path.dirname(from), lookup, warn).services[ref.service];
    else if (rawServices[ref.service] !== undefined) base = resolve(ref.service, [...trail, name]);
    if (!base) throw new ComposeError(`cannot extend service "${name}" in ${file}: service "${ref.service}" not found in ${from}`);
    return mergeService({ ...base, name }, own);
  };
  const services: Record<string, Service> = {};
  try {
    for (const name of Object.keys(rawServices)) services[name] = resolve(name, []);
  } catch (err) {
    if (err instanceof ComposeError) throw new ComposeError(`validating ${file}: ${err.message}`);
    throw err;
  }
  return { name: typeof tree.name === 'string' ? tree.name : undefined, services, networks: section('networks'), volumes: section('volumes') };
}

function resource<T extends NetworkConfig | VolumeConfig>(key: string, raw: unknown, project: string, kind: string): T {
  const r = isObject(raw) ? raw : {};
  const external = isObject(r.external) ? true : Boolean(r.external);
  const externalName = isObject(r.external) && typeof r.external.name === 'string' ? r.external.name : undefined;
  const out: Record<string, unknown> = { name: typeof r.name === 'string' ? r.name : externalName ?? (external ? key : `${project}_${key}`) };
  if (external) out.external = true;
  if (r.driver !== undefined) out.driver = String(r.driver);
  if (r.labels !== undefined) out.labels = keyValues(r.labels, `${kind}.${key}.labels`);
  if (kind === 'networks') {
    if (r.internal !== undefined) out.internal = Boolean(r.internal);
    if (isObject(r.ipam)) out.ipam = r.ipam;
  }
  return out as unknown as T;
}

function readEnvFile(file: string, lookup: (k: string) => string | undefined): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ComposeError(`env file ${file} not found: stat ${file}: no such file or directory`);
  }
  return parseDotenv(text, file, lookup);
}

/** Checks the references between services, networks and volumes, as compose-go's validation does. */
function validate(p: Project): void {
  for (const s of Object.values(p.services)) {
    if (!s.image && !s.build) throw new ComposeError(`service "${s.name}" has neither an image nor a build context specified: invalid compose project`);
    for (const n of Object.keys(s.networks ?? {})) if (!p.networks[n]) throw new ComposeError(`service "${s.name}" refers to undefined network ${n}: invalid compose project`);
    for (const v of s.volumes ?? []) if (v.type === 'volume' && v.source && !p.volumes[v.source]) throw new ComposeError(`service "${s.name}" refers to undefined volume ${v.source}: invalid compose project`);
    for (const d of Object.keys(s.depends_on ?? {})) {
      if (!p.services[d] && !p.disabled[d]) throw new ComposeError(`service "${s.name}" depends on undefined service "${d}": invalid compose project`);
      if (p.disabled[d] && s.depends_on![d].required) throw new ComposeError(`service "${s.name}" depends on undefined service "${d}": invalid compose project`);
    }
    if (s.container_name && replicas(s) > 1) throw new ComposeError(`services.${s.name}: can't set container_name and ${s.name} as container name must be unique: invalid compose project`);
    if (s.network_mode && s.networks && Object.keys(s.networks).length) throw new ComposeError(`service ${s.name} declares mutually exclusive \`network_mode\` and \`networks\`: invalid compose project`);
  }
  dependencyOrder(p.services);
}

export function loadProject(o: LoadOptions = {}): Project {
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? process.cwd();
  const warn = o.warn ?? (() => undefined);
  const fromEnv = env.COMPOSE_FILE ? env.COMPOSE_FILE.split(env.COMPOSE_PATH_SEPARATOR ?? ':').filter(Boolean) : [];
  const files = o.files?.length ? o.files.map((f) => path.resolve(cwd, f)) : fromEnv.length ? fromEnv.map((f) => path.resolve(cwd, f)) : findComposeFiles(o.projectDirectory ? path.resolve(cwd, o.projectDirectory) : cwd);
  const workingDir = path.resolve(cwd, o.projectDirectory ?? path.dirname(files[0]));
  const dotenv: Record<string, string> = {};
  const envFiles = o.envFiles?.length ? o.envFiles.map((f) => path.resolve(cwd, f)) : [path.join(workingDir, '.env')];
  for (const f of envFiles) {
    if (!fs.existsSync(f)) {
      if (o.envFiles?.length) throw new ComposeError(`couldn't find env file: ${f}`);
      continue;
    }
    Object.assign(dotenv, parseDotenv(fs.readFileSync(f, 'utf8'), f, (k) => env[k]));
  }
  const lookup = (k: string): string | undefined => env[k] ?? dotenv[k];
  const models = files.map((f) => loadFile(f, workingDir, lookup, warn));
  const services: Record<string, Service> = {};
  const rawNetworks: Record<string, unknown> = {};
  const rawVolumes: Record<string, unknown> = {};
  let fileName: string | undefined;
  for (const m of models) {
    fileName = m.name ?? fileName;
    for (const [name, s] of Object.entries(m.services)) services[name] = services[name] ? mergeService(services[name], s) : s;
    for (const [k, v] of Object.entries(m.networks)) rawNetworks[k] = mergeValue(rawNetworks[k], v ?? {});
    for (const [k, v] of Object.entries(m.volumes)) rawVolumes[k] = mergeValue(rawVolumes[k], v ?? {});
  }
  const name = o.projectName
    ? checkProjectName(o.projectName)
    : lookup('COMPOSE_PROJECT_NAME')
      ? checkProjectName(lookup('COMPOSE_PROJECT_NAME')!)
      : fileName
        ? checkProjectName(fileName)
        : normalizeProjectName(path.basename(workingDir));
  if (!name) throw new ComposeError(`project name must not be empty`);
  const profiles = new Set([...(o.profiles ?? []), ...(lookup('COMPOSE_PROFILES') ?? '').split(',').filter(Boolean)]);
  const project: Project = { name, workingDir, configFiles: files, services: {}, networks: {}, volumes: {}, disabled: {} };
  for (const [sname, s] of Object.entries(services)) {
    const on = !s.profiles?.length || s.profiles.some((p) => profiles.has(p) || p === '*') || profiles.has('*');
    finishService(s, lookup);
    (on ? project.services : project.disabled)[sname] = s;
  }
  const usesDefault = Object.values(project.services).some((s) => !s.network_mode && !Object.keys(s.networks ?? {}).length);
  for (const s of Object.values(project.services)) if (!s.network_mode && !Object.keys(s.networks ?? {}).length) s.networks = { default: null };
  if (usesDefault || rawNetworks.default) rawNetworks.default ??= {};
  for (const [k, v] of Object.entries(rawNetworks)) project.networks[k] = resource<NetworkConfig>(k, v, name, 'networks');
  for (const [k, v] of Object.entries(rawVolumes)) project.volumes[k] = resource<VolumeConfig>(k, v, name, 'volumes');
  validate(project);
  return project;
}

/** What a service takes from outside its own fields: env_file contents, and implied dependencies. */
function finishService(s: Service, lookup: (k: string) => string | undefined): void {
  if (s.env_file?.length) {
    const fromFiles: Record<string, string> = {};
    for (const f of s.env_file) Object.assign(fromFiles, readEnvFile(f, lookup));
    s.environment = { ...fromFiles, ...(s.environment ?? {}) };
  }
  const implied = [...(s.links ?? []).map((l) => l.split(':')[0]), ...(s.network_mode?.startsWith('service:') ? [s.network_mode.slice('service:'.length)] : [])];
  for (const d of implied) {
    s.depends_on ??= {};
    s.depends_on[d] ??= { condition: 'service_started', required: true };
  }
}
