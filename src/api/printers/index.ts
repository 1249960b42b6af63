// Server-side printing: `printTable` renders any resource as the meta.k8s.io Table kube-apiserver
// would answer, with its built-in printer's columns, or NAME / CREATED AT for resources without one
// (roles, clusterroles, limitranges, custom resources…).

import type { KubeList, KubeObject } from '../object.js';
import { resourcePrinters } from './resources.js';
import { renderTable, type RowPrinter, type Table, type TableOptions } from './table.js';
import { workloadPrinters } from './workloads.js';

export { humanDuration } from './duration.js';
export type { Table, TableColumnDefinition, TableRow, TableRowCondition, TableOptions } from './table.js';

const PRINTERS: Record<string, RowPrinter> = { ...workloadPrinters, ...resourcePrinters };

/** The printer of a resource, keyed like kube by group and plural resource name. */
export function printerFor(group: string, resource: string): RowPrinter | undefined {
  return PRINTERS[`${group}/${resource}`];
}

/**
 * Renders `source` (a list with items, or a single object) of the resource `info` as a Table.
 * Throws StatusError 400 for an unrecognized includeObject.
 */
export function printTable(info: { group: string; resource: string }, source: KubeObject | KubeList, options: TableOptions = {}): Table {
  return renderTable(printerFor(info.group, info.resource), source, options);
}
