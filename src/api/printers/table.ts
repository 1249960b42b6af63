// meta.k8s.io/v1 Table rendering, as kube-apiserver answers `Accept: application/json;as=Table;…`
// (apiserver handlers/response.go asTable, pkg/printers TableGenerator with Wide: true, and the
// default NAME / CREATED AT convertor for resources without a printer).

import { badRequest } from '../errors.js';
import type { KubeList, KubeObject } from '../object.js';
import { FIELD_DOCS } from './field-docs.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  /** 0 for the default columns; 1 for those kubectl shows only with `-o wide`. */
  priority: number;
}

export interface TableRowCondition {
  type: 'Completed';
  status: 'True';
  reason: string;
  message: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** null when the client asked for no headers (every watch event after the first). */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

/** What one resource's printer knows: its columns and how to compute one object's cells. */
export interface RowPrinter {
  columns: TableColumnDefinition[];
  row(obj: KubeObject, now: number): { cells: unknown[]; conditions?: TableRowCondition[] };
}

export interface TableOptions {
  /** The includeObject query parameter: None, Metadata (the default) or Object. */
  includeObject?: string;
  /** Leave out columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
  /** Clock for AGE and similar cells, in ms since the epoch; Date.now() by default. */
  now?: number;
  /** meta.k8s.io version the client negotiated. */
  version?: 'v1' | 'v1beta1';
}

export function column(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description: FIELD_DOCS[description] ?? description, priority };
}

const DEFAULT_PRINTER: RowPrinter = {
  columns: [column('Name', 'string', 'ObjectMeta.name', 0, 'name'), column('Created At', 'date', 'ObjectMeta.creationTimestamp')],
  row: (obj) => {
    const created = obj.metadata.creationTimestamp;
    // Go formats the zero time when the timestamp is unset.
    const cell = created ? new Date(created).toISOString().replace(/\.\d{3}Z$/, 'Z') : '0001-01-01T00:00:00Z';
    return { cells: [obj.metadata.name ?? '', cell] };
  },
};

function isList(v: KubeObject | KubeList): v is KubeList {
  return Array.isArray((v as KubeList).items);
}

function rowObject(obj: KubeObject, includeObject: string, apiVersion: string): unknown {
  switch (includeObject) {
    case 'Object':
      return obj;
    case 'None':
      return null;
    default:
      return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata };
  }
}

/**
 * Renders a list (or one object) of a resource as a Table using `printer`, or the default
 * NAME / CREATED AT columns when there is none. Throws 400 for an unknown includeObject.
 */
export function renderTable(printer: RowPrinter | undefined, source: KubeObject | KubeList, options: TableOptions = {}): Table {
  const includeObject = options.includeObject ?? 'Metadata';
  if (!['', 'None', 'Metadata', 'Object'].includes(includeObject)) throw badRequest(`unrecognized includeObject value: ${JSON.stringify(includeObject)}`);
  const apiVersion = `meta.k8s.io/${options.version ?? 'v1'}`;
  const p = printer ?? DEFAULT_PRINTER;
  const now = options.now ?? Date.now();
  const items = isList(source) ? source.items : [source];
  const rows = items.map((obj) => {
    const { cells, conditions } = p.row(obj, now);
    const row: TableRow = { cells, object: rowObject(obj, includeObject, apiVersion) };
    if (conditions) row.conditions = conditions;
    return row;
  });
  const metadata: Table['metadata'] = {};
  const meta = source.metadata as { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  if (meta.resourceVersion) metadata.resourceVersion = meta.resourceVersion;
  if (isList(source)) {
    if (meta.continue) metadata.continue = meta.continue;
    if (meta.remainingItemCount !== undefined) metadata.remainingItemCount = meta.remainingItemCount;
  }
  return { kind: 'Table', apiVersion, metadata, columnDefinitions: options.noHeaders ? null : p.columns, rows };
}
