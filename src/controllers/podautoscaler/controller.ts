// The HorizontalPodAutoscaler controller (pkg/controller/podautoscaler): every 15 s reads the target's
// scale subresource and the pods' resource usage from the metrics API (metrics.k8s.io), computes the
// replica count for the utilization targets and writes it to the scale subresource, reporting the
// AbleToScale / ScalingActive / ScalingLimited conditions. Without a metrics API it keeps the replica
// count and says so (ScalingActive=False, FailedGetResourceMetric), as Kubernetes does.
import { lookupKind, lookupResource, parseApiVersion, parseQuantity, parseSelector, type ResourceInfo } from '../../api/index.js';
import {
  isPodActive,
  isPodReady,
  objectKey,
  QueueController,
  refs,
  ResourceClient,
  rfc3339,
  splitKey,
  type EventRecorder,
  type Informer,
  type Pod,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../index.js';
import { normalize, replicasForUtilization, type PodUsage } from './replicas.js';
import type { HPACondition, HorizontalPodAutoscaler, MetricSpec, Scale } from './types.js';

const COMPONENT = 'horizontal-pod-autoscaler';
/** --horizontal-pod-autoscaler-sync-period. */
export const SYNC_PERIOD_MS = 15_000;

interface PodMetrics {
  metadata: { name: string };
  containers: Array<{ name: string; usage: Record<string, string> }>;
}

class MetricError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export class HorizontalPodAutoscalerController extends QueueController implements Controller {
  private readonly info: ResourceInfo;
  private readonly client: ResourceClient<HorizontalPodAutoscaler>;
  private readonly hpas: Informer<HorizontalPodAutoscaler>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  /** Recent recommendations per HPA, for the scale-down stabilization window. */
  private readonly recommendations = new Map<string, Array<{ at: number; replicas: number }>>();

  constructor(private readonly ctx: ControllerContext) {
    super('horizontalpodautoscaling');
    this.info = lookupResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;
    this.client = new ResourceClient<HorizontalPodAutoscaler>(ctx.rest, this.info);
    this.recorder = this.eventRecorder(ctx.rest, COMPONENT);
    this.hpas = ctx.informers.informer<HorizontalPodAutoscaler>(this.info);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.hpas.addEventHandler({
      add: (h) => this.queue.add(objectKey(h)),
      update: (o, h) => {
        // Status writes come back as updates; only spec changes need a look before the next period.
        if (o.metadata.generation !== h.metadata.generation) this.queue.add(objectKey(h));
      },
      delete: (h) => this.recommendations.delete(objectKey(h)),
    });
  }

  resync(): void {
    this.enqueueAll(this.hpas, objectKey);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const hpa = this.hpas.lister.get(name, namespace);
    if (!hpa) return;
    try {
      await this.reconcile(key, hpa);
    } finally {
      this.queue.addAfter(key, SYNC_PERIOD_MS);
    }
  }

  private scaleClient(hpa: HorizontalPodAutoscaler): { client: ResourceClient; info: ResourceInfo } | undefined {
    const ref = hpa.spec.scaleTargetRef;
    const { group, version } = parseApiVersion(ref.apiVersion ?? 'v1');
    const info = lookupKind(group, version, ref.kind);
    return info && { client: new ResourceClient(this.ctx.rest, info), info };
  }

  private async reconcile(key: string, hpa: HorizontalPodAutoscaler): Promise<void> {
    const now = this.ctx.now();
    const status = structuredClone(hpa.status ?? {});
    const conditions = new Map((status.conditions ?? []).map((c) => [c.type, c]));
    const set = (type: HPACondition['type'], value: HPACondition['status'], reason: string, message: string): void => {
      const old = conditions.get(type);
      conditions.set(type, { type, status: value, lastTransitionTime: old?.status === value ? old.lastTransitionTime : rfc3339(now), reason, message });
    };
    const write = async (): Promise<void> => {
      status.observedGeneration = hpa.metadata.generation;
      status.conditions = (['AbleToScale', 'ScalingActive', 'ScalingLimited'] as const).map((t) => conditions.get(t)).filter((c): c is HPACondition => c !== undefined);
      if (JSON.stringify(status) !== JSON.stringify(hpa.status ?? {})) await this.client.updateStatus({ ...hpa, status });
    };
    const target = this.scaleClient(hpa);
    const ref = hpa.spec.scaleTargetRef;
    let scale: Scale;
    try {
      if (!target) throw new Error(`no matches for kind "${ref.kind}" in group "${parseApiVersion(ref.apiVersion ?? 'v1').group}"`);
      scale = await target.client.getSubresource<Scale>(ref.name, 'scale', hpa.metadata.namespace);
    } catch (err) {
      const message = `the HPA controller was unable to get the target's current scale: ${(err as Error).message}`;
      this.recorder.event(hpa, 'Warning', 'FailedGetScale', (err as Error).message);
      set('AbleToScale', 'False', 'FailedGetScale', message);
      return write();
    }
    set('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const current = scale.spec.replicas ?? 0;
    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    status.currentReplicas = scale.status.replicas ?? 0;

    let desired = current;
    let rescaleReason = '';
    if (current === 0 && min !== 0) {
      set('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
      status.desiredReplicas = 0;
      return write();
    }
    if (current > max) {
      desired = max;
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    } else if (current < min) {
      desired = min;
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    } else {
      try {
        const computed = await this.replicasForMetrics(hpa, scale, current);
        status.currentMetrics = computed.statuses;
        set('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${computed.describe}`);
        const history = (this.recommendations.get(key) ?? []).filter((h) => h.at >= now.getTime() - 300_000);
        history.push({ at: now.getTime(), replicas: computed.replicas });
        this.recommendations.set(key, history);
        const n = normalize(computed.replicas, current, min, max, history, now.getTime());
        desired = n.replicas;
        if (n.limited === 'TooManyReplicas') set('ScalingLimited', 'True', 'TooManyReplicas', 'the desired replica count is more than the maximum replica count');
        else if (n.limited === 'TooFewReplicas') set('ScalingLimited', 'True', 'TooFewReplicas', 'the desired replica count is less than the minimum replica count');
        else if (n.limited === 'ScaleUpLimit') set('ScalingLimited', 'True', 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate');
        else set('ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range');
        if (desired > current) rescaleReason = `${computed.describe} above target`;
        else if (desired < current) rescaleReason = 'All metrics below target';
      } catch (err) {
        const e = err instanceof MetricError ? err : new MetricError('FailedGetResourceMetric', (err as Error).message);
        this.recorder.event(hpa, 'Warning', e.reason, e.message);
        this.recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', `invalid metrics (1 invalid out of ${hpa.spec.metrics?.length ?? 1}), first error is: ${e.message}`);
        set('ScalingActive', 'False', e.reason, `the HPA was unable to compute the replica count: ${e.message}`);
        status.desiredReplicas = current;
        return write();
      }
    }
    if (desired !== current && target) {
      await target.client.patch(ref.name, { spec: { replicas: desired } }, 'merge', { namespace: hpa.metadata.namespace, subresource: 'scale' });
      this.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${rescaleReason}`);
      status.lastScaleTime = rfc3339(now);
    }
    status.desiredReplicas = desired;
    return write();
  }

  /** Replicas for each Resource utilization metric (the largest wins), from metrics.k8s.io pod metrics. */
  private async replicasForMetrics(hpa: HorizontalPodAutoscaler, scale: Scale, current: number): Promise<{ replicas: number; statuses: unknown[]; describe: string }> {
    const specs: MetricSpec[] = hpa.spec.metrics?.length ? hpa.spec.metrics : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    const selector = scale.status.selector ?? '';
    let best = { replicas: 0, describe: '' };
    const statuses: unknown[] = [];
    for (const spec of specs) {
      const resource = spec.resource;
      const utilizationTarget = resource?.target.averageUtilization;
      if (spec.type !== 'Resource' || !resource || utilizationTarget === undefined) {
        throw new MetricError('FailedGetResourceMetric', `metric type ${spec.type}${resource ? ` with target ${resource.target.type}` : ''} is not supported by skiff's HPA yet`);
      }
      const usage = await this.podUsage(hpa, selector, resource.name);
      const result = replicasForUtilization(usage, utilizationTarget, current);
      if (!result) throw new MetricError('FailedGetResourceMetric', `failed to get ${resource.name} utilization: did not receive metrics for targeted pods (pods might be unready)`);
      statuses.push({ type: 'Resource', resource: { name: resource.name, current: { averageUtilization: result.utilization } } });
      if (result.replicas > best.replicas) best = { replicas: result.replicas, describe: `${resource.name} resource utilization (percentage of request)` };
    }
    return { ...best, statuses };
  }

  private async podUsage(hpa: HorizontalPodAutoscaler, selector: string, resource: string): Promise<PodUsage[]> {
    let metrics: PodMetrics[];
    try {
      const list = await this.ctx.rest.request<{ items: PodMetrics[] }>({
        path: `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(String(hpa.metadata.namespace))}/pods`,
        query: { labelSelector: selector },
      });
      metrics = list.items ?? [];
    } catch (err) {
      // The text Kubernetes' REST metrics client gives when the metrics API is not served.
      const detail = (err as { code?: number }).code === 404 ? 'the server could not find the requested resource (get pods.metrics.k8s.io)' : (err as Error).message;
      throw new MetricError('FailedGetResourceMetric', `failed to get ${resource} utilization: unable to get metrics for resource ${resource}: unable to fetch metrics from resource metrics API: ${detail}`);
    }
    if (!metrics.length) throw new MetricError('FailedGetResourceMetric', `failed to get ${resource} utilization: unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
    const matcher = parseSelector(selector);
    const pods = new Map(
      this.pods.lister
        .listInNamespace(String(hpa.metadata.namespace), matcher)
        .filter((p) => isPodActive(p) && isPodReady(p))
        .map((p) => [String(p.metadata.name), p]),
    );
    const out: PodUsage[] = [];
    for (const m of metrics) {
      const pod = pods.get(m.metadata.name);
      if (!pod) continue;
      const containers = (pod.spec.containers ?? []) as Array<{ name: string; resources?: { requests?: Record<string, string> } }>;
      let request = 0;
      for (const c of containers) {
        const r = c.resources?.requests?.[resource];
        if (r === undefined) throw new MetricError('FailedGetResourceMetric', `failed to get ${resource} utilization: missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
        request += parseQuantity(String(r)).milliValue();
      }
      const usage = m.containers.reduce((n, c) => n + (c.usage[resource] ? parseQuantity(c.usage[resource]).milliValue() : 0), 0);
      out.push({ usage, request });
    }
    return out;
  }
}
