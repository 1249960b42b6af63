import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupHelp } from './help.js';

test('system --help lists every system command, service included', () => {
  const text = groupHelp('system');
  for (const c of ['df', 'events', 'info', 'prune', 'restore', 'service']) assert.match(text, new RegExp(`^  ${c} +\\S`, 'm'));
});
