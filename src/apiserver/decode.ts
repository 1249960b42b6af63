// Request bodies → objects: JSON, YAML or kube protobuf, checked against the resource the URL names,
// with fieldValidation (Strict → 400, Warn → `Warning:` headers, Ignore) as kube-apiserver applies it.
import YAML from 'yaml';
import { apiVersionOf, badRequest, StatusError, type KubeObject, type ResourceInfo } from '../api/index.js';
import type { RequestContext } from './context.js';

/** What decoding needs of a request: its headers and query, and the resource when the URL names one. */
export type DecodeContext = Pick<RequestContext, 'req' | 'query' | 'warnings'> & { info?: ResourceInfo };

type Expected = { group: string; version: string; kind: string };
import { parseMediaType, PROTOBUF_TYPE } from './media.js';
import { decodeProtobuf, unknownFields } from './model.js';

const UNSUPPORTED = 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf';

export function contentTypeOf(ctx: DecodeContext): string {
  const header = ctx.req.headers['content-type'];
  return header ? parseMediaType(header).type : '';
}

/** Parses JSON (or YAML) text into a value, with kube's 400 messages. */
export function parseStructured(text: string, yaml: boolean): unknown {
  if (yaml) {
    try {
      return YAML.parse(text, { schema: 'core' }) as unknown;
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: yaml: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

/** Decodes a create/update body (JSON when no Content-Type is given, as kubectl scale's PUT sends). */
export function decodeBody(ctx: DecodeContext, body: Buffer): unknown {
  const type = contentTypeOf(ctx);
  if (type === PROTOBUF_TYPE) return decodeProtobuf(body);
  if (type === '' || type === 'application/json' || type === '*/*') return parseStructured(body.toString('utf8'), false);
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') return parseStructured(body.toString('utf8'), true);
  throw new StatusError(415, 'UnsupportedMediaType', UNSUPPORTED);
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation') ?? 'Warn';
  if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore') {
    throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
  }
  return v;
}

/**
 * Makes the decoded body into an object of `expect` (kind and apiVersion default from the URL, as
 * kube's decoder does), refusing other kinds, and applies fieldValidation.
 */
export function toObject(ctx: DecodeContext, value: unknown, expect: Expected = ctx.info!, jsonText?: string): KubeObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`couldn't get version/kind; json parse error: body is not a JSON object`);
  const obj = value as KubeObject;
  const want = apiVersionOf(expect.group, expect.version);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== expect.kind) {
    throw badRequest(`${String(obj.kind)} in version "${expect.version}" cannot be handled as a ${expect.kind}: the kind in the data (${String(obj.kind)}) does not match the expected kind (${expect.kind})`);
  }
  obj.apiVersion = want;
  obj.kind = expect.kind;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest(`${expect.kind} in version "${expect.version}" cannot be handled as a ${expect.kind}: metadata must be an object`);
  if (ctx.info && expect === ctx.info) checkUnknownFields(ctx, ctx.info, obj, jsonText);
  return obj;
}

/** decodeBody + toObject: the object a create/update body carries. */
export function decodeObject(ctx: DecodeContext, body: Buffer, expect: Expected = ctx.info!): KubeObject {
  const value = decodeBody(ctx, body);
  const type = contentTypeOf(ctx);
  return toObject(ctx, value, expect, type === '' || type === 'application/json' ? body.toString('utf8') : undefined);
}

function checkUnknownFields(ctx: DecodeContext, info: ResourceInfo, obj: KubeObject, jsonText: string | undefined): void {
  const mode = fieldValidationOf(ctx.query);
  if (mode === 'Ignore') return;
  const unknown = unknownFields(info, obj, jsonText);
  if (unknown.length === 0) return;
  if (mode === 'Warn') {
    ctx.warnings.push(...unknown);
    return;
  }
  throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${unknown.join(', ')}`);
}
