// The Endpoints controller (pkg/controller/endpoint): keeps an Endpoints object named after every
// Service with a selector, listing the selected pods' addresses. Services without a selector are left
// alone so their user-managed Endpoints survive. Handlers only enqueue service keys; sync is
// level-triggered from the caches.
import { deepEqual, type KubeObject } from '../../api/index.js';
import {
  isAlreadyExists,
  isForbidden,
  isNotFound,
  objectKey,
  QueueController,
  refs,
  ResourceClient,
  splitKey,
  type Informer,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { endpointLabels, serviceSelector, type EndpointPod, type Service } from './service-pods.js';
import { computeSubsets, type EndpointSubset } from './subsets.js';
import { podServicesHandler } from './pod-services.js';

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

export const SERVICES = { group: '', version: 'v1', resource: 'services', namespaced: true, kind: 'Service' };
export const ENDPOINTS = { group: '', version: 'v1', resource: 'endpoints', namespaced: true, kind: 'Endpoints' };

export class EndpointsController extends QueueController implements Controller {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<EndpointPod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly client: ResourceClient<Endpoints>;

  constructor(ctx: ControllerContext) {
    super('endpoints');
    this.client = new ResourceClient<Endpoints>(ctx.rest, ENDPOINTS);
    this.services = ctx.informers.informer<Service>(SERVICES);
    this.pods = ctx.informers.informer<EndpointPod>(refs.pods);
    this.endpoints = ctx.informers.informer<Endpoints>(ENDPOINTS);
    this.enqueueOn(this.services, objectKey);
    // A deleted Endpoints is recreated if its Service still selects pods (only deletions: an update of
    // user-managed Endpoints without a Service must not lead to them being deleted).
    this.endpoints.addEventHandler({ delete: (ep) => this.queue.add(objectKey(ep)) });
    this.pods.addEventHandler(podServicesHandler(this.services.lister, this.queue));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.lister.get(name, namespace);
    if (!svc) {
      await this.client.delete(name, { namespace }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      return;
    }
    const selector = serviceSelector(svc);
    if (!selector) return;
    const pods = this.pods.lister.listInNamespace(namespace ?? '', selector);
    const subsets = computeSubsets(svc, pods);
    const labels = endpointLabels(svc);
    const current = this.endpoints.lister.get(name, namespace);
    if (current && deepEqual(current.subsets ?? [], subsets) && deepEqual(current.metadata.labels ?? {}, labels)) return;
    try {
      if (current) {
        await this.client.update({ ...current, metadata: { ...current.metadata, labels }, subsets });
      } else {
        await this.client.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets });
      }
    } catch (err) {
      // A namespace being deleted refuses new objects; the namespace controller is removing them anyway.
      if (!current && isForbidden(err)) return;
      // Our own earlier create that the cache has not shown yet: look again once it has.
      if (isAlreadyExists(err)) return this.queue.addAfter(key, 100);
      throw err;
    }
  }
}
