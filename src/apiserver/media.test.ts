import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateDiscovery, negotiateObject, parseAccept } from './media.js';

describe('content negotiation', () => {
  it('kubectl get asks for a v1 Table first', () => {
    const accept = parseAccept('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json');
    assert.deepEqual(negotiateObject(accept, true), { kind: 'table', version: 'v1' });
    assert.deepEqual(negotiateObject(accept, false), { kind: 'object', encoding: 'json' });
  });

  it('parameters are order-insensitive; unknown transforms are skipped', () => {
    assert.deepEqual(negotiateObject(parseAccept('application/json;g=meta.k8s.io;v=v1beta1;as=Table'), true), { kind: 'table', version: 'v1beta1' });
    assert.equal(negotiateObject(parseAccept('application/json;as=Foo;v=v1;g=meta.k8s.io'), true), undefined);
    assert.deepEqual(negotiateObject(parseAccept('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'), true), { kind: 'partial', version: 'v1', list: true });
  });

  it('protobuf-first clients get JSON; YAML when asked; nothing acceptable → undefined', () => {
    assert.deepEqual(negotiateObject(parseAccept('application/vnd.kubernetes.protobuf,application/json'), false), { kind: 'object', encoding: 'json' });
    assert.deepEqual(negotiateObject(parseAccept('application/yaml'), false), { kind: 'object', encoding: 'yaml' });
    assert.deepEqual(negotiateObject(parseAccept('application/vnd.kubernetes.protobuf'), false), { kind: 'object', encoding: 'protobuf' });
    assert.equal(negotiateObject(parseAccept('text/html'), false), undefined);
    assert.deepEqual(negotiateObject(parseAccept(undefined), true), { kind: 'object', encoding: 'json' });
  });

  it('aggregated discovery only when offered: kubectl 1.27 offers v2beta1, 1.33 v2 first', () => {
    assert.equal(negotiateDiscovery(parseAccept('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json')), 'v2beta1');
    assert.equal(negotiateDiscovery(parseAccept('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json')), 'v2');
    assert.equal(negotiateDiscovery(parseAccept('application/json, */*')), 'legacy');
    assert.equal(negotiateDiscovery(parseAccept('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList')), undefined);
  });
});
