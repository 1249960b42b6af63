import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { resolveSources, sourceHash, copyInto, parseChown, resolveInRoot, rejectRemote, CopyError } from './copy.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-copy-test-'));
after(() => fs.rmSync(base, { recursive: true, force: true }));
let n = 0;

function fixture(files: Record<string, string>, ignore: string[] = []) {
  const root = path.join(base, `ctx${n++}`);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return { root, excluded: (rel: string) => ignore.some((i) => rel === i || rel.startsWith(`${i}/`)) };
}

function rootfs(): string {
  const dir = path.join(base, `rootfs${n++}`);
  fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'var'), { recursive: true });
  fs.symlinkSync('/run', path.join(dir, 'var', 'run'));
  fs.mkdirSync(path.join(dir, 'etc'));
  fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\nnginx:x:101:102::/nonexistent:/bin/false\n');
  fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\nnginx:x:102:\nstaff:x:50:\n');
  return dir;
}

test('sources: globs match within one level, ignored files are invisible, escapes are refused', () => {
  const src = fixture({ 'a.txt': 'a', 'b.txt': 'b', 'sub/c.txt': 'c', 'secret.txt': 's' }, ['secret.txt']);
  assert.deepEqual(resolveSources(src, ['*.txt'], 'COPY').map((s) => s.rel), ['a.txt', 'b.txt']);
  assert.throws(() => resolveSources(src, ['secret.txt'], 'COPY'), /file not found in build context or excluded by .dockerignore: stat secret.txt/);
  assert.throws(() => resolveSources(src, ['nope*'], 'COPY'), /no source files were specified/);
  assert.throws(() => resolveSources(src, ['../x'], 'COPY'), /forbidden path outside the build context/);
  assert.deepEqual(resolveSources(src, ['./sub/'], 'COPY').map((s) => s.rel), ['sub']);
});

test('hash: touching keeps the key, editing or chmod changes it, ignored files do not count', () => {
  const src = fixture({ 'dir/a': 'one', 'dir/b': 'two', 'dir/skip': 'x' }, ['dir/skip']);
  const key = () => sourceHash(src, resolveSources(src, ['dir'], 'COPY'));
  const first = key();
  assert.match(first, /^dir:[0-9a-f]{64}$/);
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(src.root, 'dir/a'), later, later);
  assert.equal(key(), first);
  fs.writeFileSync(path.join(src.root, 'dir/skip'), 'changed');
  assert.equal(key(), first);
  fs.chmodSync(path.join(src.root, 'dir/a'), 0o600);
  const chmodded = key();
  assert.notEqual(chmodded, first);
  fs.writeFileSync(path.join(src.root, 'dir/b'), 'three');
  assert.notEqual(key(), chmodded);
  assert.match(sourceHash(src, resolveSources(src, ['dir/a'], 'COPY')), /^file:/);
  assert.match(sourceHash(src, resolveSources(src, ['dir/a', 'dir/b'], 'COPY')), /^multi:/);
});

test('copy: directory contents, trailing-slash dest, existing dir dest, rename, multiple sources', () => {
  const src = fixture({ 'site/index.html': 'hi', 'site/css/a.css': 'x', 'one.txt': '1', 'two.txt': '2' });
  const root = rootfs();
  copyInto(src, root, resolveSources(src, ['site'], 'COPY'), '/www', 'COPY');
  assert.equal(fs.readFileSync(path.join(root, 'www/index.html'), 'utf8'), 'hi');
  assert.ok(fs.existsSync(path.join(root, 'www/css/a.css')));
  copyInto(src, root, resolveSources(src, ['one.txt'], 'COPY'), '/opt/', 'COPY');
  assert.ok(fs.existsSync(path.join(root, 'opt/one.txt')));
  copyInto(src, root, resolveSources(src, ['one.txt'], 'COPY'), '/www', 'COPY');
  assert.ok(fs.existsSync(path.join(root, 'www/one.txt')), 'an existing directory receives the file');
  copyInto(src, root, resolveSources(src, ['two.txt'], 'COPY'), '/renamed.txt', 'COPY');
  assert.equal(fs.readFileSync(path.join(root, 'renamed.txt'), 'utf8'), '2');
  assert.throws(() => copyInto(src, root, resolveSources(src, ['one.txt', 'two.txt'], 'COPY'), '/multi', 'COPY'),
    /When using COPY with more than one source file, the destination must be a directory and end with a \//);
  copyInto(src, root, resolveSources(src, ['*.txt'], 'COPY'), '/multi/', 'COPY');
  assert.deepEqual(fs.readdirSync(path.join(root, 'multi')).sort(), ['one.txt', 'two.txt']);
  const st = fs.statSync(path.join(root, 'multi/one.txt'));
  assert.equal(st.uid, 0);
});

test('an exception below an excluded directory is still copied and hashed', () => {
  const src = { ...fixture({ 'logs/drop.log': 'd', 'logs/keep.log': 'k', 'app.txt': 'a' }), hasExceptions: true };
  src.excluded = (rel: string) => rel === 'logs' || (rel.startsWith('logs/') && rel !== 'logs/keep.log');
  const root = rootfs();
  copyInto(src, root, resolveSources(src, ['.'], 'COPY'), '/ctx/', 'COPY');
  assert.deepEqual(fs.readdirSync(path.join(root, 'ctx/logs')), ['keep.log']);
  const before = sourceHash(src, resolveSources(src, ['.'], 'COPY'));
  fs.writeFileSync(path.join(src.root, 'logs/keep.log'), 'changed');
  assert.notEqual(sourceHash(src, resolveSources(src, ['.'], 'COPY')), before);
  fs.writeFileSync(path.join(src.root, 'logs/drop.log'), 'changed');
  assert.equal(resolveSources(src, ['*.txt'], 'COPY').length, 1);
});

test('copy follows image symlinks inside the rootfs and applies --chown names and --chmod', () => {
  const src = fixture({ 'pid.txt': 'p' });
  const root = rootfs();
  assert.equal(resolveInRoot(root, '/var/run/x'), path.join(root, 'run/x'));
  const owner = parseChown('nginx', root);
  assert.deepEqual(owner, { uid: 101, gid: 102 });
  assert.deepEqual(parseChown('nginx:staff', root), { uid: 101, gid: 50 });
  assert.deepEqual(parseChown('1000', root), { uid: 1000, gid: 1000 });
  assert.throws(() => parseChown('ghost', root), /can't find uid for ghost/);
  copyInto(src, root, resolveSources(src, ['pid.txt'], 'COPY'), '/var/run/', 'COPY', { ...owner, mode: 0o640 });
  const st = fs.statSync(path.join(root, 'run/pid.txt'));
  assert.equal(st.uid, 101);
  assert.equal(st.mode & 0o777, 0o640);
});

test('a symlink named as a source is followed inside the context; links inside a copied directory stay links', () => {
  const src = fixture({ 'real.txt': 'target content', 'dir/file': 'f' });
  fs.symlinkSync('real.txt', path.join(src.root, 'link.txt'));
  fs.symlinkSync('/etc/passwd', path.join(src.root, 'escape.txt'));
  fs.symlinkSync('file', path.join(src.root, 'dir/alias'));
  const root = rootfs();
  copyInto(src, root, resolveSources(src, ['link.txt'], 'COPY'), '/out/', 'COPY');
  assert.equal(fs.readFileSync(path.join(root, 'out/link.txt'), 'utf8'), 'target content');
  assert.ok(!fs.lstatSync(path.join(root, 'out/link.txt')).isSymbolicLink());
  assert.throws(() => resolveSources(src, ['escape.txt'], 'COPY'), /file not found in build context/);
  copyInto(src, root, resolveSources(src, ['dir'], 'COPY'), '/d/', 'COPY');
  assert.equal(fs.readlinkSync(path.join(root, 'd/alias')), 'file');
});

test('ADD unpacks local tar archives; COPY copies them as files; remote URLs are refused', () => {
  const src = fixture({ 'payload/demo.txt': 'demo' });
  spawnSync('tar', ['-czf', path.join(src.root, 'demo.tar.gz'), '-C', path.join(src.root, 'payload'), '.']);
  const root = rootfs();
  copyInto(src, root, resolveSources(src, ['demo.tar.gz'], 'ADD'), '/root/', 'ADD', { extractArchives: true });
  assert.equal(fs.readFileSync(path.join(root, 'root/demo.txt'), 'utf8'), 'demo');
  copyInto(src, root, resolveSources(src, ['demo.tar.gz'], 'COPY'), '/root/', 'COPY');
  assert.ok(fs.existsSync(path.join(root, 'root/demo.tar.gz')));
  assert.throws(() => rejectRemote(['https://example.com/x.tgz']), (err: Error) => err instanceof CopyError && /builds offline/.test(err.message));
});
