import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo } from './request-info.js';

const info = (method: string, url: string) => {
  const u = new URL(url, 'https://x');
  const r = requestInfo(method, u.pathname, u.searchParams);
  return { isResourceRequest: r.isResourceRequest, verb: r.verb, group: r.group, version: r.version, namespace: r.namespace, resource: r.resource, name: r.name, subresource: r.subresource };
};

describe('requestInfo', () => {
  it('namespaced objects, lists, subresources and verbs', () => {
    assert.deepEqual(info('GET', '/api/v1/namespaces/default/pods'), { isResourceRequest: true, verb: 'list', group: '', version: 'v1', namespace: 'default', resource: 'pods', name: '', subresource: '' });
    assert.deepEqual(info('PUT', '/apis/apps/v1/namespaces/ns/deployments/web/scale'), { isResourceRequest: true, verb: 'update', group: 'apps', version: 'v1', namespace: 'ns', resource: 'deployments', name: 'web', subresource: 'scale' });
    assert.equal(info('GET', '/api/v1/pods?watch=true').verb, 'watch');
    assert.equal(info('DELETE', '/api/v1/namespaces/default/pods').verb, 'deletecollection');
    assert.equal(info('DELETE', '/api/v1/namespaces/default/pods/x').verb, 'delete');
    assert.equal(info('PATCH', '/api/v1/nodes/n1/status').subresource, 'status');
  });

  it('namespaces themselves are cluster-scoped objects; legacy /watch/ paths', () => {
    assert.deepEqual(info('GET', '/api/v1/namespaces/kube-system'), { isResourceRequest: true, verb: 'get', group: '', version: 'v1', namespace: 'kube-system', resource: 'namespaces', name: 'kube-system', subresource: '' });
    assert.equal(info('GET', '/api/v1/namespaces').verb, 'list');
    assert.equal(info('PUT', '/api/v1/namespaces/x/finalize').subresource, 'finalize');
    assert.deepEqual(info('GET', '/api/v1/watch/namespaces/default/pods/web'), { isResourceRequest: true, verb: 'watch', group: '', version: 'v1', namespace: 'default', resource: 'pods', name: 'web', subresource: '' });
  });

  it('discovery and other paths are not resource requests', () => {
    assert.equal(info('GET', '/api/v1').isResourceRequest, false);
    assert.equal(info('GET', '/apis/apps').isResourceRequest, false);
    assert.equal(info('GET', '/healthz').isResourceRequest, false);
  });
});
