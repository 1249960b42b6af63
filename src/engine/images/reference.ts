// Docker's image name rules: `busybox` is docker.io/library/busybox:latest, the first path component is
// a registry only if it has a dot or a port or is `localhost`, and names are shown in their familiar form.
import { invalid } from '../errors.js';

export interface Reference {
  /** Registry host, e.g. docker.io or localhost:5000. */
  domain: string;
  /** Repository path inside the registry, e.g. library/busybox. */
  path: string;
  tag: string;
  /** sha256:… when the reference was given by digest. */
  digest: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function parseReference(input: string): Reference {
  let rest = input;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(`invalid reference format: ${input}`);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(`invalid reference format: ${input}`);
  }
  if (!rest) throw invalid(`invalid reference format: ${input}`);
  let domain = DEFAULT_DOMAIN;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = first;
    rest = rest.slice(slash + 1);
  }
  if (rest !== rest.toLowerCase()) throw invalid(`invalid reference format: repository name (${rest}) must be lowercase`);
  if (!rest.split('/').every((c) => PATH_COMPONENT.test(c))) throw invalid(`invalid reference format: ${input}`);
  if (domain === DEFAULT_DOMAIN && !rest.includes('/')) rest = `library/${rest}`;
  return { domain, path: rest, tag: tag || (digest ? '' : 'latest'), digest };
}

/** Full repository name: docker.io/library/busybox. */
export function repository(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The canonical key the tag table uses: docker.io/library/busybox:latest (or …@sha256:…). */
export function canonical(ref: Reference): string {
  return ref.digest ? `${repository(ref)}@${ref.digest}` : `${repository(ref)}:${ref.tag}`;
}

/** The short form docker prints: busybox, user/app, localhost:5000/app. */
export function familiarRepository(repo: string): string {
  const prefix = `${DEFAULT_DOMAIN}/`;
  if (!repo.startsWith(prefix)) return repo;
  const rest = repo.slice(prefix.length);
  return rest.startsWith('library/') && rest.split('/').length === 2 ? rest.slice('library/'.length) : rest;
}

/** A canonical tag name in docker's familiar form: busybox:latest. */
export function familiarName(name: string): string {
  const at = name.indexOf('@');
  if (at >= 0) return familiarRepository(name.slice(0, at)) + name.slice(at);
  const colon = name.lastIndexOf(':');
  return familiarRepository(name.slice(0, colon)) + name.slice(colon);
}

export function normalize(input: string): string {
  return canonical(parseReference(input));
}

/** Splits a canonical tag name into repository and tag: ['docker.io/library/busybox', 'latest']. */
export function splitName(name: string): [string, string] {
  const at = name.indexOf('@');
  if (at >= 0) return [name.slice(0, at), name.slice(at + 1)];
  const colon = name.lastIndexOf(':');
  return [name.slice(0, colon), name.slice(colon + 1)];
}
