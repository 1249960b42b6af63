import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { allResources } from '../registry.js';
import { groupVersionKey, openapiV2Document, openapiV3GroupVersion, openapiV3Paths } from './index.js';

type Doc = Record<string, any>;

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('OpenAPI v3 documents', () => {
  it('index every served group-version with the hash of its document', () => {
    const index = openapiV3Paths();
    for (const info of allResources()) {
      const key = groupVersionKey(info.group, info.version);
      const doc = openapiV3GroupVersion(key)!;
      assert.ok(doc, key);
      assert.equal(index.paths[key]!.serverRelativeURL, `/openapi/v3/${key}?hash=${doc.hash}`);
      assert.equal(doc.hash, createHash('sha512').update(doc.body).digest('hex').toUpperCase());
      assert.deepEqual(JSON.parse(doc.body.toString()), doc.document);
    }
    assert.equal(openapiV3GroupVersion('apis/nope/v1'), undefined);
    assert.equal(openapiV3GroupVersion('api/v1'), openapiV3GroupVersion('api/v1'));
  });

  it("give each resource a PATCH operation with its group-version-kind and fieldValidation (kubectl's server-side validation check)", () => {
    for (const info of allResources()) {
      const doc = openapiV3GroupVersion(groupVersionKey(info.group, info.version))!.document as Doc;
      const ns = info.namespaced ? '/namespaces/{namespace}' : '';
      const path = `/${groupVersionKey(info.group, info.version)}${ns}/${info.resource}/{name}`;
      const patch = doc['paths'][path]?.patch;
      assert.ok(patch, path);
      assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: info.group, version: info.version, kind: info.kind });
      assert.equal(patch['x-kubernetes-action'], 'patch');
      assert.ok(patch.parameters.some((p: Doc) => p['name'] === 'fieldValidation' && p['in'] === 'query'), path);
      const list = doc['paths'][`/${groupVersionKey(info.group, info.version)}${ns}/${info.resource}`].get;
      assert.deepEqual(list['x-kubernetes-group-version-kind'], { group: info.group, version: info.version, kind: `${info.kind}List` });
    }
  });

  it('resolve every $ref inside the document', () => {
    for (const key of Object.keys(openapiV3Paths().paths)) {
      const doc = openapiV3GroupVersion(key)!.document as Doc;
      for (const ref of refs(doc)) assert.ok(doc['components'].schemas[ref.replace('#/components/schemas/', '')], `${key}: ${ref}`);
    }
  });

  it('carry descriptions, required fields, enums, formats and the Kubernetes extensions', () => {
    const schemas = (openapiV3GroupVersion('api/v1')!.document as Doc)['components'].schemas;
    const pod = schemas['io.k8s.api.core.v1.Pod'];
    assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
    assert.deepEqual(pod.properties.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
    const spec = schemas['io.k8s.api.core.v1.PodSpec'];
    assert.deepEqual(spec.required, ['containers']);
    assert.equal(spec.properties.containers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(spec.properties.containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(spec.properties.containers['x-kubernetes-list-type'], 'map');
    assert.deepEqual(spec.properties.restartPolicy.enum, ['Always', 'Never', 'OnFailure']);
    assert.deepEqual(spec.properties.terminationGracePeriodSeconds, {
      description: spec.properties.terminationGracePeriodSeconds.description,
      type: 'integer',
      format: 'int64',
    });
    assert.deepEqual(schemas['io.k8s.api.core.v1.ContainerPort'].required, ['containerPort']);
    assert.deepEqual(schemas['io.k8s.api.core.v1.Container'].properties.ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
    assert.equal(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
    assert.deepEqual(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf, [{ type: 'integer' }, { type: 'string' }]);
    assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
    assert.equal(schemas['io.k8s.api.core.v1.ResourceRequirements'].properties.limits.additionalProperties.allOf[0].$ref, '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity');
    // VolumeSource is inlined into Volume in JSON, as in kube's schema.
    assert.ok(schemas['io.k8s.api.core.v1.Volume'].properties.emptyDir);
  });
});

describe('OpenAPI v2 document', () => {
  it('uses definitions and plain $refs, every one resolvable', () => {
    const doc = openapiV2Document() as Doc;
    assert.equal(doc['swagger'], '2.0');
    assert.equal(doc['definitions']['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, 'string');
    for (const ref of refs(doc)) assert.ok(doc['definitions'][ref.replace('#/definitions/', '')], ref);
    assert.deepEqual(doc['definitions']['io.k8s.api.apps.v1.DeploymentSpec'].properties.selector, {
      description: doc['definitions']['io.k8s.api.apps.v1.DeploymentSpec'].properties.selector.description,
      $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
    });
    const patch = doc['paths']['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    assert.ok(patch.parameters.some((p: Doc) => p['name'] === 'fieldValidation' && p['in'] === 'query' && p['type'] === 'string'));
  });
});
