// Start order from depends_on (and links / network_mode: service:X): dependencies first, a cycle is
// refused with compose's message. Stopping walks the same order backwards.
import { ComposeError, type Service } from './types.js';

/** Service names so that every service comes after the services it depends on (file order otherwise). */
export function dependencyOrder(services: Record<string, Service>): string[] {
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done' || !services[name]) return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new ComposeError(`dependency cycle detected: ${cycle.join(' -> ')}`);
    }
    state.set(name, 'visiting');
    for (const dep of Object.keys(services[name].depends_on ?? {})) visit(dep, [...trail, name]);
    state.set(name, 'done');
    out.push(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
  return out;
}

/** The named services plus everything they depend on, transitively (`up web` starts web's dependencies too). */
export function withDependencies(services: Record<string, Service>, names: string[]): Set<string> {
  const out = new Set<string>();
  const add = (n: string): void => {
    if (out.has(n) || !services[n]) return;
    out.add(n);
    for (const d of Object.keys(services[n].depends_on ?? {})) add(d);
  };
  names.forEach(add);
  return out;
}

/**
 * Services grouped by depth: level 0 depends on nothing, level n on something in level n-1. Stopping
 * goes level by level from the top, every container of a level at once, as docker compose does.
 */
export function dependencyLevels(services: Record<string, Service>): string[][] {
  const depth = new Map<string, number>();
  for (const name of dependencyOrder(services)) {
    const deps = Object.keys(services[name].depends_on ?? {}).filter((d) => services[d]);
    depth.set(name, deps.length ? Math.max(...deps.map((d) => depth.get(d)! + 1)) : 0);
  }
  const levels: string[][] = [];
  for (const [name, d] of depth) (levels[d] ??= []).push(name);
  return levels;
}
