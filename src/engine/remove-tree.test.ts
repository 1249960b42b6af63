import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeTree } from './remove-tree.js';

test('removeTree removes nested dirs, files, fifos and symlinks without following them; missing paths are fine', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-rmtree-'));
  try {
    const keep = path.join(base, 'keep');
    fs.mkdirSync(keep);
    fs.writeFileSync(path.join(keep, 'file'), 'kept');
    const tree = path.join(base, 'tree');
    fs.mkdirSync(path.join(tree, 'a', 'b', 'c'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'a', 'b', 'c', 'deep'), 'x');
    fs.writeFileSync(path.join(tree, 'top'), 'x');
    assert.equal(spawnSync('mkfifo', [path.join(tree, 'fifo')]).status, 0);
    fs.symlinkSync(keep, path.join(tree, 'link-to-dir'));
    fs.symlinkSync(path.join(keep, 'file'), path.join(tree, 'a', 'link-to-file'));
    removeTree(tree);
    assert.equal(fs.existsSync(tree), false);
    assert.equal(fs.readFileSync(path.join(keep, 'file'), 'utf8'), 'kept');
    removeTree(tree);
    removeTree(path.join(keep, 'file'));
    assert.deepEqual(fs.readdirSync(keep), []);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});
