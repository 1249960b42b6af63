// The EndpointSlice controller (pkg/controller/endpointslice) together with the EndpointSlice mirroring
// controller: a Service with a selector gets slices of its pods, a selectorless Service gets its
// user-managed Endpoints mirrored into slices, so kube-proxy-style consumers read slices only. sync(key)
// compares the desired slices with the ones we manage and creates, updates or deletes the difference.
import { deepEqual, selectorFromSet, type KubeObject } from '../../api/index.js';
import { isForbidden, isNotFound, objectKey, QueueController, refs, ResourceClient, splitKey, type Informer } from '../../client/index.js';
import { ENDPOINTS, SERVICES, endpointLabels, serviceSelector, podServicesHandler, type EndpointPod, type Endpoints, type Service } from '../endpoints/index.js';
import type { Controller, ControllerContext } from '../index.js';
import {
  CONTROLLER_MANAGER,
  desiredSlices,
  groupsFromEndpoints,
  groupsFromPods,
  MANAGED_BY_LABEL,
  MIRRORING_MANAGER,
  portsKey,
  SERVICE_NAME_LABEL,
  SKIP_MIRROR_LABEL,
  type DesiredSlice,
  type SliceEndpoint,
  type SlicePort,
} from './slices.js';

export interface EndpointSlice extends KubeObject {
  addressType: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: SlicePort[] | null;
}

export const ENDPOINT_SLICES = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true, kind: 'EndpointSlice' };

/** How long we wait for the cache to show our own writes before trusting it again. */
const EXPECTATION_TTL_MS = 10_000;

interface Plan {
  manager: string;
  labels: Record<string, string>;
  owner?: KubeObject & { apiVersion: string; kind: string };
  slices: DesiredSlice[];
}

export class EndpointSliceController extends QueueController implements Controller {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<EndpointPod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly client: ResourceClient<EndpointSlice>;
  /** service key → slice name → whether we expect the cache to show it (after create) or not (after delete). */
  private readonly expected = new Map<string, { since: number; names: Map<string, boolean> }>();

  constructor(ctx: ControllerContext) {
    super('endpointslice');
    this.client = new ResourceClient<EndpointSlice>(ctx.rest, ENDPOINT_SLICES);
    this.services = ctx.informers.informer<Service>(SERVICES);
    this.pods = ctx.informers.informer<EndpointPod>(refs.pods);
    this.endpoints = ctx.informers.informer<Endpoints>(ENDPOINTS);
    this.slices = ctx.informers.informer<EndpointSlice>(ENDPOINT_SLICES);
    this.enqueueOn(this.services, objectKey);
    this.enqueueOn(this.endpoints, objectKey);
    this.enqueueOn(this.slices, (s) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      const manager = s.metadata.labels?.[MANAGED_BY_LABEL];
      return svc && (manager === CONTROLLER_MANAGER || manager === MIRRORING_MANAGER) ? `${s.metadata.namespace}/${svc}` : undefined;
    });
    this.pods.addEventHandler(podServicesHandler(this.services.lister, this.queue));
  }

  /** The slices a Service should have and who manages them; undefined when it should have none. */
  private plan(svc: Service | undefined, namespace: string, name: string): Plan | undefined {
    if (!svc || svc.spec?.type === 'ExternalName') return undefined;
    const base = { [SERVICE_NAME_LABEL]: name };
    const selector = serviceSelector(svc);
    if (selector) {
      const pods = this.pods.lister.listInNamespace(namespace, selector);
      return {
        manager: CONTROLLER_MANAGER,
        labels: { ...endpointLabels(svc), ...base, [MANAGED_BY_LABEL]: CONTROLLER_MANAGER },
        owner: { ...svc, apiVersion: 'v1', kind: 'Service' },
        slices: desiredSlices(groupsFromPods(svc, pods)),
      };
    }
    const ep = this.endpoints.lister.get(name, namespace);
    if (!ep || ep.metadata.labels?.[SKIP_MIRROR_LABEL] === 'true') return undefined;
    const groups = groupsFromEndpoints(ep.subsets);
    if (!groups.length) return undefined;
    return {
      manager: MIRRORING_MANAGER,
      labels: { ...(ep.metadata.labels ?? {}), ...base, [MANAGED_BY_LABEL]: MIRRORING_MANAGER },
      owner: { ...ep, apiVersion: 'v1', kind: 'Endpoints' },
      slices: desiredSlices(groups),
    };
  }

  /** True while the cache has not yet caught up with slices we created or deleted for this service. */
  private waitingForCache(key: string, existing: EndpointSlice[]): boolean {
    const exp = this.expected.get(key);
    if (!exp) return false;
    const names = new Set(existing.map((s) => s.metadata.name));
    for (const [n, present] of exp.names) if (names.has(n!) === present) exp.names.delete(n);
    if (exp.names.size === 0 || Date.now() - exp.since > EXPECTATION_TTL_MS) {
      this.expected.delete(key);
      return false;
    }
    return true;
  }

  private expect(key: string, name: string, present: boolean): void {
    let exp = this.expected.get(key);
    if (!exp) this.expected.set(key, (exp = { since: Date.now(), names: new Map() }));
    exp.since = Date.now();
    exp.names.set(name, present);
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const existing = this.slices.lister
      .listInNamespace(namespace, selectorFromSet({ [SERVICE_NAME_LABEL]: name }))
      .filter((s) => [CONTROLLER_MANAGER, MIRRORING_MANAGER].includes(s.metadata.labels?.[MANAGED_BY_LABEL] ?? ''));
    if (this.waitingForCache(key, existing)) {
      this.queue.addAfter(key, 200);
      return;
    }
    const plan = this.plan(this.services.lister.get(name, namespace), namespace, name);
    const unused = new Set(existing);
    const toCreate: DesiredSlice[] = [];
    const toUpdate: Array<{ current: EndpointSlice; want: DesiredSlice }> = [];
    for (const want of plan?.slices ?? []) {
      const candidates = [...unused].filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === plan!.manager && portsKey(s.ports) === portsKey(want.ports) && s.addressType === 'IPv4');
      const same = candidates.find((s) => this.upToDate(s, want, plan!));
      const current = same ?? candidates[0];
      if (!current) {
        toCreate.push(want);
        continue;
      }
      unused.delete(current);
      if (!same) toUpdate.push({ current, want });
    }
    for (const s of unused) {
      await this.client.delete(s.metadata.name!, { namespace }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      this.expect(key, s.metadata.name!, false);
    }
    for (const { current, want } of toUpdate) {
      await this.client.update({ ...current, metadata: { ...current.metadata, labels: plan!.labels }, endpoints: want.endpoints, ports: want.ports ?? null });
    }
    for (const want of toCreate) {
      const owner = plan!.owner!;
      const slice: EndpointSlice = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          generateName: `${name}-`,
          namespace,
          labels: plan!.labels,
          ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        addressType: 'IPv4',
        endpoints: want.endpoints,
      };
      if (want.ports) slice.ports = want.ports;
      try {
        const created = await this.client.create(slice);
        this.expect(key, created.metadata.name!, true);
      } catch (err) {
        // A namespace being deleted refuses new objects; its slices are going away with it.
        if (isForbidden(err)) return;
        throw err;
      }
    }
  }

  private upToDate(s: EndpointSlice, want: DesiredSlice, plan: Plan): boolean {
    return deepEqual(s.endpoints ?? [], want.endpoints) && deepEqual(s.ports ?? [], want.ports ?? []) && deepEqual(s.metadata.labels ?? {}, plan.labels);
  }
}
