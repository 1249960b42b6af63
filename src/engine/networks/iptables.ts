// iptables for skiff's own chains only (DESIGN.md §5): every chain skiff creates starts with its caller's
// prefix (SKIFF-…), is created idempotently, and is removed with the jumps that lead to it, by prefix.
import { execFile, spawnSync } from 'node:child_process';

export type Table = 'nat' | 'filter';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// -w: tests and CLI processes program rules concurrently; wait for the xtables lock instead of failing.
const IPTABLES_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

function iptablesSync(args: string[]): Run {
  const r = spawnSync('iptables', ['-w', '5', ...args], { env: IPTABLES_ENV, encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function iptables(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('iptables', ['-w', '5', ...args], { env: IPTABLES_ENV }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function must(args: string[]): Promise<string> {
  const r = await iptables(args);
  if (r.code !== 0) throw new Error(`iptables ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

export async function ensureChain(table: Table, chain: string): Promise<void> {
  const r = await iptables(['-t', table, '-N', chain]);
  if (r.code !== 0 && !/already exists/i.test(r.stderr)) throw new Error(`iptables -t ${table} -N ${chain}: ${r.stderr.trim()}`);
}

/** Appends (or inserts first) the rule unless an identical one is there. */
export async function ensureRule(table: Table, chain: string, rule: string[], position: 'append' | 'insert' = 'append'): Promise<void> {
  if ((await iptables(['-t', table, '-C', chain, ...rule])).code === 0) return;
  await must(['-t', table, position === 'append' ? '-A' : '-I', chain, ...rule]);
}

/** Deletes the rule if present. */
export async function deleteRule(table: Table, chain: string, rule: string[]): Promise<void> {
  while ((await iptables(['-t', table, '-D', chain, ...rule])).code === 0) {
    // a rule added twice by racing writers is deleted twice
  }
}

/** Splits an `iptables -S` line into argv (double-quoted words keep their spaces). */
export function splitRule(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  return out;
}

/** The rules of a chain (or of the whole table) as argv lists starting with -A CHAIN. */
export async function listRules(table: Table, chain?: string): Promise<string[][]> {
  const r = await iptables(['-t', table, '-S', ...(chain ? [chain] : [])]);
  if (r.code !== 0) return [];
  return r.stdout.split('\n').filter((l) => l.startsWith('-A ')).map(splitRule);
}

/** Deletes every rule of `chain` whose argv satisfies `match`. */
export async function deleteRulesWhere(table: Table, chain: string, match: (rule: string[]) => boolean): Promise<void> {
  for (const rule of await listRules(table, chain)) {
    if (match(rule)) await iptables(['-t', table, '-D', ...rule.slice(1)]);
  }
}

function owned(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}-`);
}

/**
 * Removes chains by name (and every jump into them) from one table. Synchronous, so a caller can do it
 * inside a state-DB transaction that decides a network is no longer used.
 */
function removeChainsWhere(table: Table, match: (name: string) => boolean): void {
  const r = iptablesSync(['-t', table, '-S']);
  if (r.code !== 0) return;
  const lines = r.stdout.split('\n');
  const chains = lines.filter((l) => l.startsWith('-N ')).map((l) => l.slice(3).trim()).filter(match);
  if (!chains.length) return;
  for (const rule of lines.filter((l) => l.startsWith('-A ')).map(splitRule)) {
    const target = rule[rule.indexOf('-j') + 1];
    if (rule.includes('-j') && chains.includes(target) && !chains.includes(rule[1])) iptablesSync(['-t', table, '-D', ...rule.slice(1)]);
  }
  for (const chain of chains) iptablesSync(['-t', table, '-F', chain]);
  for (const chain of chains) iptablesSync(['-t', table, '-X', chain]);
}

/** Removes one chain of each table and the jumps into it. */
export function removeChain(chain: string): void {
  for (const table of ['nat', 'filter'] as const) removeChainsWhere(table, (n) => n === chain);
}

/** Removes every chain named `prefix` or `prefix-…` in nat and filter, with the jumps into them. */
export function removeChainsByPrefix(prefix: string): void {
  if (!/^SKIFF/.test(prefix)) throw new Error(`refusing to remove chains outside skiff's namespace: ${prefix}`);
  for (const table of ['nat', 'filter'] as const) removeChainsWhere(table, (n) => owned(n, prefix));
}
