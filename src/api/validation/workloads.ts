// Validation of apps/v1 and batch/v1 workloads (pkg/apis/apps/validation, pkg/apis/batch/validation):
// selectors that must match their template, restart policies, strategies, immutable fields.

import type { FieldError } from '../errors.js';
import { deepEqual, getObject, getObjects, isObject, type JsonObject } from '../json.js';
import { goIntOrString, isValidPercent } from '../intstr.js';
import { selectorFromLabelSelector, selectorFromSet, type Selector } from '../labels.js';
import { isDNS1123Label, nameIsDNSSubdomain } from '../names.js';
import { CronParseError, isKnownTimeZone, parseCron } from '../cron.js';
import { child, FIELD_IMMUTABLE, forbidden, GoValue, goStringMap, invalidValue, notSupported, required } from './field.js';
import { goLabelSelector, validateImmutable, validateLabelSelector, validateNonnegative, validateObjectMeta } from './meta.js';
import { validatePodTemplateSpec } from './pod.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const metaOf = (obj: JsonObject): JsonObject => getObject(obj, 'metadata') ?? {};
const specOf = (obj: JsonObject): JsonObject => getObject(obj, 'spec') ?? {};
const templateLabels = (template: unknown): unknown => getObject(getObject(template, 'metadata'), 'labels');
const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/** The selector as validation sees it, or undefined when LabelSelectorAsSelector would fail. */
function asSelector(selector: unknown): Selector | undefined {
  try {
    return selectorFromLabelSelector(isObject(selector) ? selector : null);
  } catch {
    return undefined;
  }
}

function selectorSize(selector: JsonObject): number {
  return Object.keys(getObject(selector, 'matchLabels') ?? {}).length + getObjects(selector, 'matchExpressions').length;
}

/** Selector required, well-formed and non-empty (`empty selector is invalid for <what>`). */
function validateWorkloadSelector(spec: JsonObject, path: string, what: string): FieldError[] {
  const selector = spec.selector;
  if (!isObject(selector)) return [required(child(path, 'selector'))];
  const errs = validateLabelSelector(selector, child(path, 'selector'));
  if (selectorSize(selector) === 0) errs.push(invalidValue(child(path, 'selector'), goLabelSelector(selector), `empty selector is invalid for ${what}`));
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet (also RCs with a map selector): template must match, restart Always. */
function validateTemplateForController(template: unknown, selector: Selector | undefined, path: string, kind: string): FieldError[] {
  if (!isObject(template)) return [required(path)];
  const errs: FieldError[] = [];
  if (selector && !selector.empty() && !selector.matches(templateLabels(template) as Record<string, string> | undefined))
    errs.push(invalidValue(child(path, 'metadata', 'labels'), goStringMap(templateLabels(template) as Record<string, string> | undefined), SELECTOR_MISMATCH));
  errs.push(...validatePodTemplateSpec(template, path));
  const podSpec = getObject(template, 'spec') ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported(child(path, 'spec', 'restartPolicy'), podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds != null) errs.push(forbidden(child(path, 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((msg) => invalidValue(path, goIntOrString(v), msg));
  if (typeof v === 'number' && v < 0) return [invalidValue(path, v, 'must be greater than or equal to 0')];
  return [];
}

function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : 0;
}

function validateDeploymentStrategy(strategy: JsonObject | undefined, path: string): FieldError[] {
  const s = strategy ?? {};
  const errs: FieldError[] = [];
  if (s.type === 'Recreate') {
    if (s.rollingUpdate != null) errs.push(forbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (s.type === 'RollingUpdate') {
    const ru = getObject(s, 'rollingUpdate');
    if (!ru) errs.push(required(child(path, 'rollingUpdate'), 'this should be defaulted and never be nil'));
    else {
      const p = child(path, 'rollingUpdate');
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(p, 'maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(p, 'maxSurge')));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
        errs.push(invalidValue(child(p, 'maxUnavailable'), goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      if (typeof ru.maxUnavailable === 'string' && intOrPercentValue(ru.maxUnavailable) > 100)
        errs.push(invalidValue(child(p, 'maxUnavailable'), goIntOrString(ru.maxUnavailable), 'must not be greater than 100%'));
    }
  } else {
    errs.push(notSupported(child(path, 'type'), s.type ?? '', ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

export function validateDeployment(obj: JsonObject): FieldError[] {
  const errs = validateObjectMeta(metaOf(obj), true, nameIsDNSSubdomain);
  const spec = specOf(obj);
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateWorkloadSelector(spec, 'spec', 'deployment'));
  const selector = asSelector(spec.selector);
  if (!selector) errs.push(invalidValue('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'));
  else errs.push(...validateTemplateForController(spec.template, selector, 'spec.template', 'ReplicaSet'));
  errs.push(...validateDeploymentStrategy(getObject(spec, 'strategy'), 'spec.strategy'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0))
      errs.push(invalidValue('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateReplicaSet(obj: JsonObject): FieldError[] {
  const errs = validateObjectMeta(metaOf(obj), true, nameIsDNSSubdomain);
  const spec = specOf(obj);
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  // kube's ReplicaSet validation reuses the deployment wording.
  errs.push(...validateWorkloadSelector(spec, 'spec', 'deployment'));
  const selector = asSelector(spec.selector);
  if (!selector) errs.push(invalidValue('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'));
  else errs.push(...validateTemplateForController(spec.template, selector, 'spec.template', 'ReplicaSet'));
  return errs;
}

export function validateReplicationController(obj: JsonObject): FieldError[] {
  const errs = validateObjectMeta(metaOf(obj), true, nameIsDNSSubdomain);
  const spec = specOf(obj);
  const selectorMap = getObject(spec, 'selector');
  if (!selectorMap || Object.keys(selectorMap).length === 0) errs.push(required('spec.selector'));
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateTemplateForController(spec.template, selectorFromSet(selectorMap as Record<string, string> | undefined), 'spec.template', 'ReplicationController'));
  return errs;
}

export function validateDaemonSet(obj: JsonObject): FieldError[] {
  const errs = validateObjectMeta(metaOf(obj), true, nameIsDNSSubdomain);
  const spec = specOf(obj);
  const template = spec.template;
  // No "Required" here: a missing selector selects nothing, so the template check below reports it.
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const selector = asSelector(spec.selector);
  if (selector && !selector.matches(templateLabels(template) as Record<string, string> | undefined))
    errs.push(invalidValue('spec.template.metadata.labels', goStringMap(templateLabels(template) as Record<string, string> | undefined), SELECTOR_MISMATCH));
  if (isObject(spec.selector) && selectorSize(spec.selector) === 0) errs.push(invalidValue('spec.selector', goLabelSelector(spec.selector), 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  const podSpec = getObject(template, 'spec') ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds != null) errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const strategy = getObject(spec, 'updateStrategy') ?? {};
  if (strategy.type === 'RollingUpdate') {
    const ru = getObject(strategy, 'rollingUpdate') ?? {};
    errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
    errs.push(...validatePositiveIntOrPercent(ru.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge'));
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
      errs.push(invalidValue('spec.updateStrategy.rollingUpdate.maxUnavailable', goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  } else if (strategy.type !== 'OnDelete') {
    errs.push(notSupported('spec.updateStrategy.type', strategy.type ?? '', ['OnDelete', 'RollingUpdate']));
  }
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

export function validateStatefulSet(obj: JsonObject): FieldError[] {
  const errs = validateObjectMeta(metaOf(obj), true, nameIsDNSSubdomain);
  const spec = specOf(obj);
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalidValue('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const strategy = getObject(spec, 'updateStrategy') ?? {};
  if (!strategy.type) errs.push(required('spec.updateStrategy'));
  else if (strategy.type === 'OnDelete') {
    if (strategy.rollingUpdate != null) errs.push(invalidValue('spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (strategy.type === 'RollingUpdate') {
    errs.push(...validateNonnegative(getObject(strategy, 'rollingUpdate')?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
  } else {
    errs.push(invalidValue('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateWorkloadSelector(spec, 'spec', 'statefulset'));
  const selector = asSelector(spec.selector);
  if (!selector) errs.push(invalidValue('spec.selector', goLabelSelector(spec.selector), ''));
  else {
    const template = spec.template;
    if (!selector.empty() && !selector.matches(templateLabels(template) as Record<string, string> | undefined))
      errs.push(invalidValue('spec.template.metadata.labels', goStringMap(templateLabels(template) as Record<string, string> | undefined), SELECTOR_MISMATCH));
    errs.push(...validatePodTemplateSpec(withClaimVolumes(template, spec), 'spec.template'));
  }
  const podSpec = getObject(spec.template, 'spec') ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds != null) errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  return errs;
}

/**
 * The template as the controller will stamp it: each volumeClaimTemplate becomes a claim volume of the
 * same name (replacing a template volume so named), so volumeMounts may name a claim template.
 */
function withClaimVolumes(template: unknown, spec: JsonObject): unknown {
  const names = getObjects(spec, 'volumeClaimTemplates').map((t) => getObject(t, 'metadata')?.name).filter((n): n is string => typeof n === 'string' && n !== '');
  const podSpec = getObject(template, 'spec');
  if (names.length === 0 || !podSpec) return template;
  const volumes = getObjects(podSpec, 'volumes').filter((v) => !names.includes(String(v.name)));
  const claims = names.map((name) => ({ name, persistentVolumeClaim: { claimName: name } }));
  return { ...(template as object), spec: { ...podSpec, volumes: [...volumes, ...claims] } };
}

/** apps/v1 selectors are immutable (the strategies' ValidateUpdate adds this for every apps/v1 kind). */
export function validateSelectorImmutable(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  return validateImmutable(specOf(newObj).selector, specOf(oldObj).selector, 'spec.selector', goLabelSelector);
}

/** Spec checks of a StatefulSet update: only some spec fields may change. */
export function validateStatefulSetUpdate(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  const errs = validateStatefulSet(newObj).filter((e) => !e.field.startsWith('metadata.'));
  const mutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'revisionHistoryLimit'];
  const strip = (spec: JsonObject): JsonObject => Object.fromEntries(Object.entries(spec).filter(([k]) => !mutable.includes(k)));
  if (validateImmutable(strip(specOf(newObj)), strip(specOf(oldObj)), 'spec').length)
    errs.push(
      forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  return errs;
}

// --- batch ---------------------------------------------------------------------------------------

function validateJobSpecCommon(spec: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) errs.push(...validateNonnegative(spec[f], child(path, f)));
  const mode = spec.completionMode;
  if (mode != null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(child(path, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed' && spec.completions == null) errs.push(required(child(path, 'completions'), 'when completion mode is Indexed'));
  }
  errs.push(...validatePodTemplateSpec(spec.template, child(path, 'template')));
  const restart = getObject(spec.template, 'spec')?.restartPolicy;
  const restartPath = child(path, 'template', 'spec', 'restartPolicy');
  if (restart === 'Always' || !restart) errs.push(required(restartPath, 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never') errs.push(notSupported(restartPath, restart, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy != null && restart !== 'Never') errs.push(invalidValue(restartPath, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

function validateJobSpec(spec: JsonObject, path: string): FieldError[] {
  const errs = validateJobSpecCommon(spec, path);
  if (!isObject(spec.selector)) errs.push(required(child(path, 'selector')));
  else errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  const selector = asSelector(spec.selector);
  if (selector && !selector.matches(templateLabels(spec.template) as Record<string, string> | undefined))
    errs.push(invalidValue(child(path, 'template', 'metadata', 'labels'), goStringMap(templateLabels(spec.template) as Record<string, string> | undefined), SELECTOR_MISMATCH));
  return errs;
}

export function validateJob(obj: JsonObject): FieldError[] {
  const meta = metaOf(obj);
  const errs = validateObjectMeta(meta, true, nameIsDNSSubdomain);
  const spec = specOf(obj);
  errs.push(...validateJobSpec(spec, 'spec'));
  if (spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
    const hostname = `${str(meta.name)}-${spec.completions - 1}`;
    if (isDNS1123Label(hostname).length) errs.push(invalidValue('metadata.name', str(meta.name), `will not able to create pod with invalid DNS label: ${hostname}`));
  }
  return errs;
}

/** Spec checks of a Job update: selector, template (unless suspended) and modes are fixed. */
export function validateJobUpdate(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  const spec = specOf(newObj);
  const old = specOf(oldObj);
  const errs = validateJobSpec(spec, 'spec');
  errs.push(...validateImmutable(spec.selector, old.selector, 'spec.selector', goLabelSelector));
  // Scheduling directives of a suspended job's template may change; kube allows it before the job starts.
  const strip = (t: unknown): unknown => {
    if (!isObject(t) || spec.suspend !== true) return t;
    const copy = structuredClone(t);
    const s = getObject(copy, 'spec');
    if (s) for (const f of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates']) delete s[f];
    const m = getObject(copy, 'metadata');
    if (m) for (const f of ['labels', 'annotations']) delete m[f];
    return copy;
  };
  errs.push(...validateImmutable(strip(spec.template), strip(old.template), 'spec.template', () => new GoValue('core.PodTemplateSpec{...}')));
  errs.push(...validateImmutable(spec.completionMode ?? null, old.completionMode ?? null, 'spec.completionMode'));
  errs.push(...validateImmutable(spec.podFailurePolicy ?? null, old.podFailurePolicy ?? null, 'spec.podFailurePolicy'));
  if (spec.completionMode !== 'Indexed') errs.push(...validateImmutable(spec.completions ?? null, old.completions ?? null, 'spec.completions'));
  return errs;
}

function validateSchedule(schedule: string, path: string, allowTZ: boolean): FieldError[] {
  const errs: FieldError[] = [];
  try {
    parseCron(schedule);
  } catch (e) {
    if (!(e instanceof CronParseError)) throw e;
    errs.push(invalidValue(path, schedule, e.message));
  }
  if (!allowTZ && schedule.includes('TZ')) errs.push(invalidValue(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  return errs;
}

const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** validateTimeZone: an explicit IANA zone name that the runtime knows. */
function validateTimeZone(timeZone: unknown, path: string): FieldError[] {
  if (timeZone === undefined || timeZone === null) return [];
  const tz = str(timeZone);
  if (!tz) return [invalidValue(path, tz, 'timeZone must be nil or non-empty string')];
  if (tz.split('/').some((part) => part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part)) || (tz.toLowerCase() !== 'local' && !isKnownTimeZone(tz)))
    return [invalidValue(path, tz, `unknown time zone ${tz}`)];
  if (tz.toLowerCase() === 'local') return [invalidValue(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  return [];
}

function validateCronJobSpec(spec: JsonObject, oldSpec: JsonObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = str(spec.schedule);
  if (!schedule) errs.push(required('spec.schedule'));
  else errs.push(...validateSchedule(schedule, 'spec.schedule', str(oldSpec?.schedule).includes('TZ')));
  errs.push(...validateNonnegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!oldSpec || spec.timeZone !== oldSpec.timeZone) errs.push(...validateTimeZone(spec.timeZone, 'spec.timeZone'));
  const cp = spec.concurrencyPolicy;
  if (!cp) errs.push(required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(str(cp))) errs.push(notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  const jobSpec = getObject(getObject(spec, 'jobTemplate'), 'spec') ?? {};
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.selector != null) errs.push(invalidValue('spec.jobTemplate.spec.selector', goLabelSelector(jobSpec.selector), '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...validateNonnegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...validateNonnegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

export function validateCronJob(obj: JsonObject): FieldError[] {
  const meta = metaOf(obj);
  const errs = validateObjectMeta(meta, true, nameIsDNSSubdomain);
  errs.push(...validateCronJobSpec(specOf(obj), undefined));
  // The controller appends an 11-character suffix to job names, which are limited to 63.
  if (str(meta.name).length > 52) errs.push(invalidValue('metadata.name', str(meta.name), 'must be no more than 52 characters'));
  return errs;
}

/** Spec checks of a CronJob update (no 52-character name limit: existing cronjobs stay editable). */
export function validateCronJobUpdate(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  return validateCronJobSpec(specOf(newObj), specOf(oldObj));
}

/** A ControllerRevision's data is a snapshot: immutable once written. */
export function validateControllerRevisionUpdate(newObj: JsonObject, oldObj: JsonObject): FieldError[] {
  return [...validateNonnegative(newObj.revision, 'revision'), ...(deepEqual(newObj.data, oldObj.data) ? [] : [invalidValue('data', new GoValue('runtime.RawExtension{...}'), FIELD_IMMUTABLE)])];
}
