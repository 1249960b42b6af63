// Reading loosely typed objects and formatting the values printers put in cells, the way
// kube-apiserver's printers format them (labels.FormatLabels, layoutContainerCells, printBoolPtr…).

import { selectorFromSet } from '../labels.js';
import { quantityOf } from '../quantity.js';
import { column, type TableColumnDefinition } from './table.js';

export type Obj = Record<string, unknown>;

/** The value at a path of object keys, or undefined. */
export function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Obj)[key];
  }
  return cur;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

export function list(v: unknown): Obj[] {
  return Array.isArray(v) ? (v as Obj[]).filter((x) => typeof x === 'object' && x !== null) : [];
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function record(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

export function orNone(s: string): string {
  return s === '' ? '<none>' : s;
}

/** labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(labels: unknown): string {
  return selectorFromSet(record(labels) as Record<string, string>).toString() || '<none>';
}

/** printBoolPtr. */
export function boolPtr(v: unknown): string {
  return typeof v === 'boolean' ? (v ? 'True' : 'False') : '<unset>';
}

/** resource.Quantity.String(): the canonical form, "0" for an unset quantity. */
export function quantity(v: unknown): string {
  if (v === undefined || v === null) return '0';
  try {
    return quantityOf(v).toString();
  } catch {
    return String(v);
  }
}

/** intstr.IntOrString.String(). */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(v) : str(v);
}

/** layoutContainerCells: container names and images, each comma-joined. */
export function containerCells(containers: unknown): [string, string] {
  const cs = list(containers);
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

/** `a,b,c + 2 more...`, or `<unset>` when there is nothing (listWithMoreString). */
export function listWithMore(items: string[], count: number, max = 3): string {
  if (count > max) return `${items.slice(0, max).join(',')} + ${count - max} more...`;
  return items.join(',') || '<unset>';
}

export const nameColumn = (): TableColumnDefinition => column('Name', 'string', 'ObjectMeta.name', 0, 'name');
export const ageColumn = (): TableColumnDefinition => column('Age', 'string', 'ObjectMeta.creationTimestamp');
export const containersColumn = (priority = 1): TableColumnDefinition => column('Containers', 'string', 'Names of each container in the template.', priority);
export const imagesColumn = (priority = 1): TableColumnDefinition => column('Images', 'string', 'Images referenced by each container in the template.', priority);
