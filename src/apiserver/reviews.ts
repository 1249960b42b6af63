// The review APIs kubectl and components ask the API server about themselves: authorization.k8s.io
// SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview (`can-i --list`),
// SubjectAccessReview (another user), and authentication.k8s.io SelfSubjectReview (`kubectl auth
// whoami`). They are answered from the authorizer chain and never stored.
import { badRequest, methodNotAllowed } from '../api/index.js';
import { authorize, type Authorizer, type UserInfo } from './auth.js';
import type { RequestContext } from './context.js';
import { decodeObject } from './decode.js';
import { readBody, sendJson } from './http-util.js';
import type { RequestInfo } from './request-info.js';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface ReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  uid?: string;
  groups?: string[];
  namespace?: string;
}

function infoFor(spec: ReviewSpec): RequestInfo {
  const r = spec.resourceAttributes;
  if (r) {
    return { isResourceRequest: true, path: '', verb: r.verb ?? '', group: r.group ?? '', version: r.version ?? '', namespace: r.namespace ?? '', resource: r.resource ?? '', name: r.name ?? '', subresource: r.subresource ?? '', rest: [] };
  }
  const n = spec.nonResourceAttributes;
  if (!n) throw badRequest('spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified');
  return { isResourceRequest: false, path: n.path ?? '', verb: n.verb ?? '', group: '', version: '', namespace: '', resource: '', name: '', subresource: '', rest: [] };
}

function accessStatus(authorizers: Authorizer[], user: UserInfo, spec: ReviewSpec): Record<string, unknown> {
  const decision = authorize(authorizers, user, infoFor(spec));
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (!decision.allowed) status.reason = decision.reason ?? '';
  return status;
}

type Review = (ctx: RequestContext, spec: ReviewSpec, authorizers: Authorizer[]) => Record<string, unknown>;

const REVIEWS: Record<string, { group: string; kind: string; review: Review }> = {
  'authorization.k8s.io/v1/selfsubjectaccessreviews': { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview', review: (ctx, spec, authorizers) => accessStatus(authorizers, ctx.user, spec) },
  'authorization.k8s.io/v1/subjectaccessreviews': {
    group: 'authorization.k8s.io',
    kind: 'SubjectAccessReview',
    review: (_ctx, spec, authorizers) => {
      if (!spec.user && !(spec.groups ?? []).length) throw badRequest('spec.user: Invalid value: "": at least one of user or group must be specified');
      return accessStatus(authorizers, { name: spec.user ?? '', uid: spec.uid, groups: [...(spec.groups ?? [])] }, spec);
    },
  },
  'authorization.k8s.io/v1/selfsubjectrulesreviews': {
    group: 'authorization.k8s.io',
    kind: 'SelfSubjectRulesReview',
    review: (ctx, spec, authorizers) => {
      // The chain answers yes/no questions; what it can say as rules is "everything" or "not known".
      const all = authorize(authorizers, ctx.user, { isResourceRequest: true, path: '', verb: '*', group: '*', version: '*', namespace: spec.namespace ?? '', resource: '*', name: '', subresource: '', rest: [] }).allowed;
      return all
        ? { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false }
        : { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: 'the authorizer cannot list rules' };
    },
  },
  'authentication.k8s.io/v1/selfsubjectreviews': {
    group: 'authentication.k8s.io',
    kind: 'SelfSubjectReview',
    review: (ctx) => ({ userInfo: { username: ctx.user.name, ...(ctx.user.uid ? { uid: ctx.user.uid } : {}), groups: ctx.user.groups } }),
  },
};

/** Answers a review request; false when the path is not a review API. */
export async function handleReview(ctx: RequestContext, authorizers: Authorizer[]): Promise<boolean> {
  const { ri } = ctx;
  const entry = REVIEWS[`${ri.group}/${ri.version}/${ri.resource}`];
  if (!entry || ri.name || ri.namespace) return false;
  if (ri.verb !== 'create') throw methodNotAllowed();
  const review = decodeObject(ctx, await readBody(ctx.req), { group: entry.group, version: ri.version, kind: entry.kind });
  const spec = (review.spec ?? {}) as ReviewSpec;
  sendJson(ctx.res, 201, { ...review, metadata: { ...review.metadata, creationTimestamp: null }, status: entry.review(ctx, spec, authorizers) });
  return true;
}
