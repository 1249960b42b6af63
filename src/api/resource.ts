// A resource as the API server serves it: one entry per group/version/resource, which is what
// discovery, routing, storage keys and kubectl's RESTMapper all derive from.

export interface ScaleSubresource {
  /** JSON paths as in CRDs' scale subresource: ".spec.replicas", ".status.replicas", ".status.selector". */
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface ResourceInfo {
  /** "" for the core group. */
  group: string;
  version: string;
  /** Plural, lower case: "deployments". */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** e.g. ["all"] for pods, services, deployments... as kube-apiserver lists them. */
  categories: string[];
  verbs: string[];
  /** Subresources served for this resource, e.g. { status: true, scale: {...} }; pods add log/exec/... */
  subresources: {
    status?: boolean;
    scale?: ScaleSubresource;
    /** Other named subresources ("binding", "eviction", "log", "exec", "attach", "portforward", "proxy", "token"...). */
    others?: string[];
  };
  /**
   * Where objects live in the store: "/registry/<storageResource>/<ns>/<name>". Two versions of one
   * resource (autoscaling/v1 and v2 HPAs; core and events.k8s.io events) share it and convert.
   */
  storageResource: string;
  /** True for the version objects are stored in when several versions share storageResource. */
  storageVersion: boolean;
}
