// Media types: parsing Accept and Content-Type the way kube-apiserver negotiates them. Parameters are
// order-insensitive (discovery sends `;g=;v=;as=`, tables send `;as=;v=;g=`), and the first offered
// format we can produce wins.

export interface MediaType {
  /** "application/json" (lower case, no parameters). */
  type: string;
  params: Record<string, string>;
}

export function parseMediaType(text: string): MediaType {
  const [base, ...rest] = text.split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    params[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: base.trim().toLowerCase(), params };
}

/** The Accept header as a list of media types, in the client's order (q-values only drop q=0). */
export function parseAccept(header: string | undefined): MediaType[] {
  if (!header || !header.trim()) return [{ type: '*/*', params: {} }];
  return header
    .split(',')
    .map((part) => parseMediaType(part))
    .filter((m) => m.type && m.params.q !== '0');
}

export const JSON_TYPE = 'application/json';
export const YAML_TYPE = 'application/yaml';
export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';

/** What a response body should be: a plain object, a Table, or aggregated discovery. */
export type OutputKind =
  | { kind: 'object'; encoding: 'json' | 'yaml' | 'protobuf' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1'; list: boolean };

function isJsonLike(type: string): boolean {
  return type === JSON_TYPE || type === 'application/*' || type === '*/*';
}

/**
 * Negotiates the representation of a resource response. Returns undefined when nothing acceptable
 * can be produced (406). `as=Table` only applies to reads; writes answer the object.
 */
export function negotiateObject(accept: MediaType[], allowTransform: boolean): OutputKind | undefined {
  for (const m of accept) {
    const as = m.params.as;
    if (as) {
      if (!allowTransform || m.type !== JSON_TYPE || m.params.g !== 'meta.k8s.io') continue;
      const v = m.params.v;
      if (v !== 'v1' && v !== 'v1beta1') continue;
      if (as === 'Table') return { kind: 'table', version: v };
      if (as === 'PartialObjectMetadata') return { kind: 'partial', version: v, list: false };
      if (as === 'PartialObjectMetadataList') return { kind: 'partial', version: v, list: true };
      continue;
    }
    if (isJsonLike(m.type)) return { kind: 'object', encoding: 'json' };
    if (m.type === YAML_TYPE) return { kind: 'object', encoding: 'yaml' };
  }
  // Protobuf only for clients that take nothing else: client-go offers JSON too, and JSON is what we trust most.
  if (accept.some((m) => m.type === PROTOBUF_TYPE && !m.params.as)) return { kind: 'object', encoding: 'protobuf' };
  return undefined;
}

export type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy';

/** Aggregated discovery is sent only when offered, labelled exactly (kubectl-compat §1.2). */
export function negotiateDiscovery(accept: MediaType[]): DiscoveryFormat | undefined {
  for (const m of accept) {
    if (m.params.as === 'APIGroupDiscoveryList' && m.type === JSON_TYPE && m.params.g === 'apidiscovery.k8s.io') {
      if (m.params.v === 'v2' || m.params.v === 'v2beta1') return m.params.v;
      continue;
    }
    if (m.params.as) continue;
    if (isJsonLike(m.type)) return 'legacy';
  }
  return undefined;
}

export function discoveryContentType(format: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${format};as=APIGroupDiscoveryList`;
}
