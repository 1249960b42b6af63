// Pod priority resolution at admission (kube-apiserver's Priority admission plugin): a pod's
// priorityClassName becomes spec.priority and spec.preemptionPolicy; without a class the global
// default class applies, else 0. The two system classes exist without objects. Shaped like the API
// server's admission plugins so `skiff server` can add it to its chain.
import { forbidden, type KubeObject } from '../api/index.js';
import type { Pod } from './types.js';

export interface PriorityClass extends KubeObject {
  value: number;
  globalDefault?: boolean;
  preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
}

/** The built-in classes kube-apiserver serves (scheduling.k8s.io SystemPriorityClasses). */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
};

export interface PriorityLookups {
  get(name: string): Promise<PriorityClass | undefined>;
  /** Every class (to find the globalDefault one). */
  list(): Promise<PriorityClass[]>;
}

/** The fields of an admission request this plugin reads (structurally the API server's AdmissionAttributes). */
export interface PriorityAdmissionAttributes {
  operation: string;
  info: { group: string; resource: string };
  subresource: string;
  name: string;
  object?: KubeObject;
}

export function priorityAdmission(lookups: PriorityLookups): { name: string; admit(attrs: PriorityAdmissionAttributes): Promise<void> } {
  return {
    name: 'Priority',
    async admit(attrs) {
      if (attrs.operation !== 'CREATE' || attrs.subresource || attrs.info.group !== '' || attrs.info.resource !== 'pods' || !attrs.object) return;
      const pod = attrs.object as Pod;
      const spec = pod.spec;
      let value: number;
      let policy: PriorityClass['preemptionPolicy'] = 'PreemptLowerPriority';
      const className = spec.priorityClassName;
      if (className) {
        if (className in SYSTEM_PRIORITY_CLASSES) value = SYSTEM_PRIORITY_CLASSES[className];
        else {
          const pc = await lookups.get(className);
          if (!pc) throw forbidden('pods', '', attrs.name, `no PriorityClass with name ${className} was found`);
          value = pc.value;
          policy = pc.preemptionPolicy ?? policy;
        }
      } else {
        const defaults = (await lookups.list()).filter((pc) => pc.globalDefault);
        // Several defaults can exist briefly; kube picks the lowest value.
        const chosen = defaults.sort((a, b) => a.value - b.value)[0];
        value = chosen?.value ?? 0;
        if (chosen) {
          spec.priorityClassName = String(chosen.metadata.name);
          policy = chosen.preemptionPolicy ?? policy;
        }
      }
      if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
        throw forbidden('pods', '', attrs.name, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
      }
      spec.priority = value;
      spec.preemptionPolicy ??= policy;
    },
  };
}
