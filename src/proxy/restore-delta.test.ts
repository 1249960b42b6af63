import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreDelta } from './iptables.js';

const chains = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

test('only chains whose rules changed are declared and rewritten; stale ones are flushed and deleted', () => {
  const before = chains({ 'S-SERVICES': ['-A S-SERVICES -d 10.0.0.1/32 -j S-SVC-A'], 'S-SVC-A': ['-A S-SVC-A -j S-SEP-1'], 'S-SEP-1': ['-A S-SEP-1 -j DNAT --to-destination 10.1.0.1:80'] });
  const wanted = chains({ 'S-SERVICES': ['-A S-SERVICES -d 10.0.0.1/32 -j S-SVC-A'], 'S-SVC-A': ['-A S-SVC-A -j S-SEP-2'], 'S-SEP-2': ['-A S-SEP-2 -j DNAT --to-destination 10.1.0.2:80'] });
  assert.equal(
    restoreDelta('nat', before, wanted, ['S-SEP-1']),
    ['*nat', ':S-SVC-A - [0:0]', ':S-SEP-2 - [0:0]', ':S-SEP-1 - [0:0]', '-A S-SVC-A -j S-SEP-2', '-A S-SEP-2 -j DNAT --to-destination 10.1.0.2:80', '-X S-SEP-1', 'COMMIT', ''].join('\n'),
  );
});

test('nothing to do when every chain is as it was', () => {
  const same = chains({ 'S-SERVICES': ['-A S-SERVICES -j RETURN'], 'S-EMPTY': [] });
  assert.equal(restoreDelta('filter', same, chains({ 'S-SERVICES': ['-A S-SERVICES -j RETURN'], 'S-EMPTY': [] }), []), undefined);
});

test('a rule order change rewrites the chain (the order decides the endpoint choice)', () => {
  const before = chains({ C: ['-A C -j X', '-A C -j Y'] });
  assert.match(restoreDelta('nat', before, chains({ C: ['-A C -j Y', '-A C -j X'] }), []) ?? '', /^:C - \[0:0\]$/m);
});
