import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSize, humanSize, parseMemory, renderFormat, tabular } from './common.js';

test('go-units sizes as docker prints them', () => {
  assert.equal(humanSize(2_130_000), '2.13MB');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1500), '1.5kB');
  assert.equal(bytesSize(67108864), '64MiB');
  assert.equal(bytesSize(491520), '480KiB');
  assert.equal(parseMemory('64m'), 67108864);
  assert.equal(parseMemory('1g'), 1073741824);
  assert.equal(parseMemory('512'), 512);
  assert.throws(() => parseMemory('lots'), /invalid size/);
});

test('tables align like tabwriter with padding 3; table formats get headers', () => {
  assert.equal(tabular(['A\tBB\tC', 'xxxx\ty\tz']), 'A      BB   C\nxxxx   y    z\n');
  assert.equal(renderFormat('table {{.Name}}\t{{.Size}}', { Name: 'NAME', Size: 'SIZE' }, [{ Name: 'web', Size: '1B' }]), 'NAME   SIZE\nweb    1B\n');
  assert.equal(renderFormat('{{.Name}}', {}, [{ Name: 'a' }, { Name: 'b' }]), 'a\nb\n');
  assert.equal(renderFormat('json', {}, [{ Name: 'a' }]), '{"Name":"a"}\n');
});
