// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): profiles with their schedulerName,
// plugins enabled/disabled per extension point or for all of them (multiPoint), score weights,
// per-plugin args, percentageOfNodesToScore, and leader election timings.
import fs from 'node:fs';
import YAML from 'yaml';
import { Framework, type Handle, type Plugin, type ScorePlugin } from './framework.js';
import { DEFAULT_PLUGINS, REGISTRY } from './plugins/registry.js';

export interface PluginRef {
  name: string;
  weight?: number;
}

export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}

const POINTS = ['preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'preBind', 'bind'] as const;
type Point = (typeof POINTS)[number];
/** Points kube-scheduler has that skiff's plugins do not use; accepted so real configs load. */
const OTHER_POINTS = ['queueSort', 'permit', 'postBind', 'preEnqueue'];

export interface ProfileConfig {
  schedulerName?: string;
  percentageOfNodesToScore?: number;
  plugins?: Partial<Record<Point | 'multiPoint', PluginSet>> & Record<string, PluginSet | undefined>;
  pluginConfig?: Array<{ name: string; args?: Record<string, unknown> }>;
}

export interface LeaderElectionConfig {
  leaderElect?: boolean;
  leaseDuration?: string;
  renewDeadline?: string;
  retryPeriod?: string;
  resourceName?: string;
  resourceNamespace?: string;
}

export interface SchedulerConfiguration {
  apiVersion?: string;
  kind?: string;
  percentageOfNodesToScore?: number;
  profiles?: ProfileConfig[];
  leaderElection?: LeaderElectionConfig;
}

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export class SchedulerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerConfigError';
  }
}

/** Parses and validates a KubeSchedulerConfiguration document. */
export function parseSchedulerConfig(text: string): SchedulerConfiguration {
  let doc: SchedulerConfiguration;
  try {
    doc = (YAML.parse(text) ?? {}) as SchedulerConfiguration;
  } catch (err) {
    throw new SchedulerConfigError(`invalid scheduler config: ${(err as Error).message}`);
  }
  if (doc.kind && doc.kind !== 'KubeSchedulerConfiguration') throw new SchedulerConfigError(`invalid scheduler config: kind "${doc.kind}" is not KubeSchedulerConfiguration`);
  if (doc.apiVersion && !/^kubescheduler\.config\.k8s\.io\/(v1|v1beta3)$/.test(doc.apiVersion)) {
    throw new SchedulerConfigError(`invalid scheduler config: no kind "KubeSchedulerConfiguration" is registered for version "${doc.apiVersion}"`);
  }
  const pct = doc.percentageOfNodesToScore;
  if (pct !== undefined && (pct < 0 || pct > 100)) throw new SchedulerConfigError(`percentageOfNodesToScore: Invalid value: ${pct}: not in valid range [0-100]`);
  const profiles = doc.profiles?.length ? doc.profiles : [{}];
  const names = new Set<string>();
  profiles.forEach((p, i) => {
    const name = (p.schedulerName ??= DEFAULT_SCHEDULER_NAME);
    if (names.has(name)) throw new SchedulerConfigError(`profiles[${i}].schedulerName: Duplicate value: "${name}"`);
    names.add(name);
    for (const [point, set] of Object.entries(p.plugins ?? {})) {
      if (point !== 'multiPoint' && !(POINTS as readonly string[]).includes(point) && !OTHER_POINTS.includes(point)) {
        throw new SchedulerConfigError(`profiles[${i}].plugins: unknown extension point "${point}"`);
      }
      for (const ref of set?.enabled ?? []) if (!REGISTRY[ref.name]) throw new SchedulerConfigError(`profiles[${i}].plugins.${point}: plugin "${ref.name}" does not exist`);
    }
    for (const pc of p.pluginConfig ?? []) if (!REGISTRY[pc.name]) throw new SchedulerConfigError(`profiles[${i}].pluginConfig: plugin "${pc.name}" does not exist`);
  });
  return { ...doc, profiles };
}

export function loadSchedulerConfig(file: string): SchedulerConfiguration {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SchedulerConfigError(`cannot read scheduler config ${file}: ${(err as Error).message}`);
  }
  return parseSchedulerConfig(text);
}

/** Go duration strings as the config uses them ("15s", "1m30s", "500ms") → milliseconds. */
export function parseDuration(text: string | undefined, fallbackMs: number): number {
  if (!text) return fallbackMs;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== text.length) throw new SchedulerConfigError(`invalid duration "${text}"`);
  return total;
}

const IMPLEMENTS: Record<Point, keyof Plugin> = {
  preFilter: 'preFilter',
  filter: 'filter',
  postFilter: 'postFilter',
  preScore: 'preScore',
  score: 'score',
  reserve: 'reserve',
  preBind: 'preBind',
  bind: 'bind',
};

/** Builds one profile's Framework: defaults, then multiPoint changes, then per-point changes. */
export function buildFramework(profile: ProfileConfig, handle: Handle): Framework {
  const multi = new Map<string, number | undefined>(DEFAULT_PLUGINS.map((p) => [p.name, p.weight]));
  const mp = profile.plugins?.multiPoint;
  for (const d of mp?.disabled ?? []) {
    if (d.name === '*') multi.clear();
    else multi.delete(d.name);
  }
  for (const e of mp?.enabled ?? []) multi.set(e.name, e.weight ?? multi.get(e.name));

  const args = new Map((profile.pluginConfig ?? []).map((pc) => [pc.name, pc.args ?? {}]));
  const instances = new Map<string, Plugin>();
  const instance = (name: string): Plugin => {
    let p = instances.get(name);
    if (!p) instances.set(name, (p = REGISTRY[name](args.get(name) ?? {}, handle)));
    return p;
  };

  const lists = {} as Record<Point, Array<{ name: string; weight?: number }>>;
  for (const point of POINTS) {
    let list = [...multi].filter(([name]) => instance(name)[IMPLEMENTS[point]] !== undefined).map(([name, weight]) => ({ name, weight }));
    const set = profile.plugins?.[point];
    for (const d of set?.disabled ?? []) list = d.name === '*' ? [] : list.filter((p) => p.name !== d.name);
    for (const e of set?.enabled ?? []) {
      if (instance(e.name)[IMPLEMENTS[point]] === undefined) throw new SchedulerConfigError(`plugin "${e.name}" does not extend ${point} plugin`);
      const existing = list.find((p) => p.name === e.name);
      if (existing) existing.weight = e.weight ?? existing.weight;
      else list.push({ name: e.name, weight: e.weight });
    }
    lists[point] = list;
  }
  const plugins = (point: Point): Plugin[] => lists[point].map((p) => instance(p.name));
  const score: ScorePlugin[] = lists.score.map((p) => ({ plugin: instance(p.name), weight: p.weight ?? 1 }));
  return new Framework(
    profile.schedulerName ?? DEFAULT_SCHEDULER_NAME,
    plugins('preFilter'),
    plugins('filter'),
    plugins('postFilter'),
    // A PreScore without its Score would only waste time.
    plugins('preScore').filter((p) => lists.score.some((s) => s.name === p.name)),
    score,
    plugins('reserve'),
    plugins('preBind'),
    plugins('bind'),
    profile.percentageOfNodesToScore ?? 0,
  );
}
