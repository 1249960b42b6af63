// The OpenAPI documents kube-apiserver serves: /openapi/v3 (an index of per-group-version OpenAPI 3.0
// documents, addressed by content hash) and /openapi/v2 (one Swagger 2.0 document). kubectl reads
// them for `explain`, and decides from each resource's PATCH operation (its group-version-kind and
// `fieldValidation` parameter) that the server validates fields itself (kubectl-compat.md §3.3).
// Built once from the registry and the type model, then memoized: the server answers with ETags.

import { createHash } from 'node:crypto';
import { allResources } from '../registry.js';
import type { ResourceInfo } from '../resource.js';
import { typeDef, typeForKind, type GroupVersionKind } from './model.js';
import { definitionSchema, reachableTypes, type Dialect, type Schema } from './schema.js';

/** Reported in `info.version`: the Kubernetes minor whose API skiff serves. */
const KUBERNETES_VERSION = 'v1.33.1';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** x-kubernetes-action. */
  action: string;
  /** First word of the operation id: read, list, create, replace, patch, delete, deleteCollection. */
  verb: string;
  gvk: GroupVersionKind;
  /** Request body type for post/put/patch; response type for all. */
  type: string;
  response: string;
  query: string[];
}

interface PathItem {
  path: string;
  params: string[];
  operations: Operation[];
}

// Strategic merge patch is served but deliberately not advertised here: kubectl then builds apply and
// edit patches from its compiled-in Go structs (the same patch tags this model comes from) rather
// than from these documents, so built-in patches stay byte-for-byte what kubectl sends to kube.
const PATCH_CONTENT_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

const QUERY_PARAMS: Record<string, Schema> = {
  pretty: { name: 'pretty', in: 'query', description: "If 'true', then the output is pretty printed.", schema: { type: 'string', uniqueItems: true } },
  dryRun: {
    name: 'dryRun',
    in: 'query',
    description:
      'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
    schema: { type: 'string', uniqueItems: true },
  },
  fieldManager: {
    name: 'fieldManager',
    in: 'query',
    description: 'fieldManager is a name associated with the actor or entity that is making these changes.',
    schema: { type: 'string', uniqueItems: true },
  },
  fieldValidation: {
    name: 'fieldValidation',
    in: 'query',
    description:
      'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
    schema: { type: 'string', uniqueItems: true },
  },
  force: {
    name: 'force',
    in: 'query',
    description: 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.',
    schema: { type: 'boolean', uniqueItems: true },
  },
  gracePeriodSeconds: {
    name: 'gracePeriodSeconds',
    in: 'query',
    description: 'The duration in seconds before the object should be deleted.',
    schema: { type: 'integer', uniqueItems: true },
  },
  propagationPolicy: {
    name: 'propagationPolicy',
    in: 'query',
    description: "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'.",
    schema: { type: 'string', uniqueItems: true },
  },
  labelSelector: {
    name: 'labelSelector',
    in: 'query',
    description: 'A selector to restrict the list of returned objects by their labels. Defaults to everything.',
    schema: { type: 'string', uniqueItems: true },
  },
  fieldSelector: {
    name: 'fieldSelector',
    in: 'query',
    description: 'A selector to restrict the list of returned objects by their fields. Defaults to everything.',
    schema: { type: 'string', uniqueItems: true },
  },
  limit: { name: 'limit', in: 'query', description: 'limit is a maximum number of responses to return for a list call.', schema: { type: 'integer', uniqueItems: true } },
  continue: { name: 'continue', in: 'query', description: 'The continue option should be set when retrieving more results from the server.', schema: { type: 'string', uniqueItems: true } },
  resourceVersion: { name: 'resourceVersion', in: 'query', description: 'resourceVersion sets a constraint on what resource versions a request may be served from.', schema: { type: 'string', uniqueItems: true } },
  resourceVersionMatch: { name: 'resourceVersionMatch', in: 'query', description: 'resourceVersionMatch determines how resourceVersion is applied to list calls.', schema: { type: 'string', uniqueItems: true } },
  timeoutSeconds: { name: 'timeoutSeconds', in: 'query', description: 'Timeout for the list/watch call.', schema: { type: 'integer', uniqueItems: true } },
  watch: { name: 'watch', in: 'query', description: 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', schema: { type: 'boolean', uniqueItems: true } },
  allowWatchBookmarks: { name: 'allowWatchBookmarks', in: 'query', description: 'allowWatchBookmarks requests watch events with type "BOOKMARK".', schema: { type: 'boolean', uniqueItems: true } },
  sendInitialEvents: { name: 'sendInitialEvents', in: 'query', description: 'sendInitialEvents=true may be set together with watch=true.', schema: { type: 'boolean', uniqueItems: true } },
};

const PATH_PARAMS: Record<string, Schema> = {
  name: { name: 'name', in: 'path', description: 'name of the resource', required: true, schema: { type: 'string', uniqueItems: true } },
  namespace: { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } },
};

const LIST_QUERY = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'];
const WRITE_QUERY = ['dryRun', 'fieldManager', 'fieldValidation'];
const DELETE_QUERY = ['dryRun', 'gracePeriodSeconds', 'propagationPolicy'];

function pathPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** `api/v1`, `apis/apps/v1`: the key of a group-version in the /openapi/v3 index. */
export function groupVersionKey(group: string, version: string): string {
  return pathPrefix(group, version).slice(1);
}

const STATUS = `${META}.Status`;
const DELETE_OPTIONS = `${META}.DeleteOptions`;
const PATCH = `${META}.Patch`;

/** The operations kube-apiserver installs per verb, for an object type and its list type. */
const OPERATIONS: Record<string, (gvk: GroupVersionKind, type: string, listType: string) => Operation> = {
  list: (gvk, _type, listType) => ({ method: 'get', action: 'list', verb: 'list', gvk: { ...gvk, kind: `${gvk.kind}List` }, type: listType, response: listType, query: LIST_QUERY }),
  create: (gvk, type) => ({ method: 'post', action: 'post', verb: 'create', gvk, type, response: type, query: WRITE_QUERY }),
  deletecollection: (gvk) => ({ method: 'delete', action: 'deletecollection', verb: 'deleteCollection', gvk, type: DELETE_OPTIONS, response: STATUS, query: [...DELETE_QUERY, ...LIST_QUERY] }),
  get: (gvk, type) => ({ method: 'get', action: 'get', verb: 'read', gvk, type, response: type, query: [] }),
  update: (gvk, type) => ({ method: 'put', action: 'put', verb: 'replace', gvk, type, response: type, query: WRITE_QUERY }),
  delete: (gvk) => ({ method: 'delete', action: 'delete', verb: 'delete', gvk, type: DELETE_OPTIONS, response: STATUS, query: DELETE_QUERY }),
  patch: (gvk, type) => ({ method: 'patch', action: 'patch', verb: 'patch', gvk, type: PATCH, response: type, query: [...WRITE_QUERY, 'force'] }),
};

function operations(verbs: string[], gvk: GroupVersionKind, type: string, listType = type): Operation[] {
  return verbs.map((verb) => OPERATIONS[verb]!(gvk, type, listType));
}

/** The paths kube-apiserver serves for a resource, with the operations its verbs allow. */
function pathsOf(info: ResourceInfo): PathItem[] {
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  const type = typeForKind(info.group, info.version, info.kind);
  if (!type) return [];
  const listType = typeForKind(info.group, info.version, `${info.kind}List`) ?? type;
  const root = pathPrefix(info.group, info.version);
  const base = `${root}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}`;
  const scope = info.namespaced ? ['namespace'] : [];
  const allowed = (verbs: string[]): string[] => verbs.filter((v) => info.verbs.includes(v));
  const items: PathItem[] = [
    { path: base, params: scope, operations: operations(allowed(['list', 'create', 'deletecollection']), gvk, type, listType) },
    { path: `${base}/{name}`, params: ['name', ...scope], operations: operations(allowed(['get', 'update', 'delete', 'patch']), gvk, type) },
  ];
  if (info.subresources.status) items.push({ path: `${base}/{name}/status`, params: ['name', ...scope], operations: operations(['get', 'update', 'patch'], gvk, type) });
  if (info.subresources.scale) {
    const scaleGvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    items.push({ path: `${base}/{name}/scale`, params: ['name', ...scope], operations: operations(['get', 'update', 'patch'], scaleGvk, 'io.k8s.api.autoscaling.v1.Scale') });
  }
  if (info.namespaced) items.push({ path: `${root}/${info.resource}`, params: [], operations: operations(allowed(['list']), gvk, type, listType) });
  return items.filter((item) => item.operations.length > 0);
}

/** `rbac.authorization.k8s.io` → `RbacAuthorization`: how kube-openapi names a group in ids and tags. */
function groupWord(group: string): string {
  const words = (group || 'core').replace(/\.k8s\.io$/, '').split('.');
  return words.map((w) => `${w.charAt(0).toUpperCase()}${w.slice(1)}`).join('');
}

/** kube-openapi's operation ids: `patchAppsV1NamespacedDeploymentScale`, `listCoreV1PodForAllNamespaces`. */
function operationId(op: Operation, info: ResourceInfo, item: PathItem): string {
  const prefix = `${groupWord(info.group)}${info.version.charAt(0).toUpperCase()}${info.version.slice(1)}`;
  const sub = item.path.endsWith('/status') ? 'Status' : item.path.endsWith('/scale') ? 'Scale' : '';
  const allNamespaces = info.namespaced && !item.path.includes('{namespace}');
  return `${op.verb}${prefix}${info.namespaced && !allNamespaces ? 'Namespaced' : ''}${info.kind}${sub}${allNamespaces ? 'ForAllNamespaces' : ''}`;
}

/** The summaries kube-apiserver gives its operations ("partially update status of the specified Pod"). */
function operationDescription(op: Operation, info: ResourceInfo, item: PathItem): string {
  const sub = item.path.endsWith('/status') ? 'status of ' : item.path.endsWith('/scale') ? 'scale of ' : '';
  const article = /^[AEIOU]/.test(info.kind) ? 'an' : 'a';
  const texts: Record<string, string> = {
    list: `list or watch objects of kind ${info.kind}`,
    create: `create ${article} ${info.kind}`,
    deleteCollection: `delete collection of ${info.kind}`,
    read: `read ${sub}the specified ${info.kind}`,
    replace: `replace ${sub}the specified ${info.kind}`,
    delete: `delete ${article} ${info.kind}`,
    patch: `partially update ${sub}the specified ${info.kind}`,
  };
  return texts[op.verb]!;
}

function operationDocument(op: Operation, info: ResourceInfo, item: PathItem, dialect: Dialect): Schema {
  const word = groupWord(info.group);
  const doc: Schema = {
    tags: [`${word.charAt(0).toLowerCase()}${word.slice(1)}_${info.version}`],
    description: operationDescription(op, info, item),
    operationId: operationId(op, info, item),
  };
  const query = [...op.query, 'pretty'].sort().map((name) => QUERY_PARAMS[name]!);
  const refOf = (name: string): Schema => (dialect === 'v3' ? { $ref: `#/components/schemas/${name}` } : { $ref: `#/definitions/${name}` });
  if (dialect === 'v3') {
    doc['parameters'] = query;
    if (op.method !== 'get') {
      const types = op.method === 'patch' ? PATCH_CONTENT_TYPES : ['*/*'];
      doc['requestBody'] = { content: Object.fromEntries(types.map((t) => [t, { schema: refOf(op.type) }])), required: op.method !== 'delete' };
    }
    const content = { 'application/json': { schema: refOf(op.response) }, 'application/yaml': { schema: refOf(op.response) }, 'application/vnd.kubernetes.protobuf': { schema: refOf(op.response) } };
    doc['responses'] = { '200': { description: 'OK', content }, '401': { description: 'Unauthorized' } };
  } else {
    const v2Params = query.map(({ schema, ...rest }) => ({ ...rest, ...(schema as Schema) }));
    if (op.method !== 'get') v2Params.unshift({ name: 'body', in: 'body', required: op.method !== 'delete', schema: refOf(op.type) });
    doc['parameters'] = v2Params;
    if (op.method === 'patch') doc['consumes'] = PATCH_CONTENT_TYPES;
    else doc['consumes'] = ['*/*'];
    doc['produces'] = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
    doc['schemes'] = ['https'];
    doc['responses'] = { '200': { description: 'OK', schema: refOf(op.response) }, '401': { description: 'Unauthorized' } };
  }
  doc['x-kubernetes-action'] = op.action;
  doc['x-kubernetes-group-version-kind'] = op.gvk;
  return doc;
}

function pathsDocument(resources: readonly ResourceInfo[], dialect: Dialect): { paths: Record<string, Schema>; types: Set<string> } {
  const paths: Record<string, Schema> = {};
  const types = new Set<string>([`${META}.Status`, `${META}.DeleteOptions`, `${META}.Patch`]);
  for (const info of resources) {
    for (const item of pathsOf(info)) {
      const entry: Schema = {};
      for (const op of item.operations) {
        entry[op.method] = operationDocument(op, info, item, dialect);
        types.add(op.type).add(op.response);
      }
      const params = item.params.map((p) => PATH_PARAMS[p]!);
      entry['parameters'] = dialect === 'v3' ? params : params.map(({ schema, ...rest }) => ({ ...rest, ...(schema as Schema) }));
      paths[item.path] = entry;
    }
  }
  return { paths, types };
}

function schemasOf(roots: Set<string>, dialect: Dialect): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const name of reachableTypes([...roots].filter((r) => typeDef(r)))) out[name] = definitionSchema(typeDef(name)!, dialect);
  // meta/v1 Patch is an empty marker type in Go (the body's shape depends on Content-Type).
  out[`${META}.Patch`] = { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' };
  return out;
}

export interface ServedDocument {
  /** The document as an object, for inspection and tests. */
  document: Schema;
  body: Buffer;
  /** Uppercase hex SHA-512 of body: the `?hash=` of the v3 index and the ETag. */
  hash: string;
}

function served(document: Schema): ServedDocument {
  const body = Buffer.from(JSON.stringify(document));
  return { document, body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

let v3Documents: Map<string, ServedDocument> | undefined;

function buildV3(): Map<string, ServedDocument> {
  const byGroupVersion = new Map<string, ResourceInfo[]>();
  for (const info of allResources()) {
    const key = groupVersionKey(info.group, info.version);
    byGroupVersion.set(key, [...(byGroupVersion.get(key) ?? []), info]);
  }
  const docs = new Map<string, ServedDocument>();
  for (const [key, resources] of byGroupVersion) {
    const { paths, types } = pathsDocument(resources, 'v3');
    docs.set(key, served({ openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION }, paths, components: { schemas: schemasOf(types, 'v3') } }));
  }
  return docs;
}

/** The OpenAPI 3.0 document of one group-version, keyed as in the index (`api/v1`, `apis/apps/v1`). */
export function openapiV3GroupVersion(key: string): ServedDocument | undefined {
  v3Documents ??= buildV3();
  return v3Documents.get(key);
}

/** The body of `GET /openapi/v3`: each group-version's document URL, carrying its content hash. */
export function openapiV3Paths(): { paths: Record<string, { serverRelativeURL: string }> } {
  v3Documents ??= buildV3();
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, doc] of v3Documents) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
  return { paths };
}

let v2Document: Schema | undefined;

/** The Swagger 2.0 document of every served resource (the JSON form of /openapi/v2). */
export function openapiV2Document(): Schema {
  if (!v2Document) {
    const { paths, types } = pathsDocument(allResources(), 'v2');
    v2Document = { swagger: '2.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION }, paths, definitions: schemasOf(types, 'v2') };
  }
  return v2Document;
}

