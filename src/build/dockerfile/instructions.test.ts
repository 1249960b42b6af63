import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseTrigger, expandInstruction, parseGoDuration, type Instruction } from './instructions.js';
import { DockerfileParseError } from './parser.js';

const env = (vars: Record<string, string>) => (name: string) => vars[name];

function only(text: string): Instruction {
  const df = parse(`FROM scratch\n${text}\n`);
  assert.equal(df.stages[0].commands.length, 1);
  return df.stages[0].commands[0];
}

function parseError(text: string): DockerfileParseError {
  try {
    parse(text);
  } catch (err) {
    assert.ok(err instanceof DockerfileParseError, String(err));
    return err;
  }
  assert.fail('expected a parse error');
}

test('the seed static_web Dockerfile parses with comments and a continuation', () => {
  const df = parse([
    '#Dockerfile comment',
    'FROM ubuntu',
    'RUN apt-get update &&apt-get install -y nginx',
    "RUN echo 'Hi,I am in your container' \\",
    ' /usr/share/nginx/html/index.html',
    'EXPOSE 80',
    'ENTRYPOINT [ "/usr/sbin/nginx" ]',
    'CMD ["/bin/bash"]',
  ].join('\n'));
  assert.equal(df.stages.length, 1);
  const [run1, run2, expose, entry, cmd] = df.stages[0].commands;
  assert.deepEqual(run1, { kind: 'run', cmd: ['apt-get update &&apt-get install -y nginx'], prependShell: true, original: 'RUN apt-get update &&apt-get install -y nginx', line: 3 });
  assert.equal(run2.original, "RUN echo 'Hi,I am in your container'  /usr/share/nginx/html/index.html");
  assert.equal(run2.line, 4);
  assert.deepEqual((expose as { ports: string[] }).ports, ['80']);
  assert.deepEqual(entry, { kind: 'entrypoint', cmd: ['/usr/sbin/nginx'], prependShell: false, original: 'ENTRYPOINT [ "/usr/sbin/nginx" ]', line: 7 });
  assert.equal((cmd as { prependShell: boolean }).prependShell, false);
});

test('instructions are case-insensitive and stages are named and indexed', () => {
  const df = parse('from busybox As Builder\nrun echo hi\nFROM scratch\ncopy --from=builder /a /b\nCOPY --from=0 /c /d\n');
  assert.equal(df.stages.length, 2);
  assert.equal(df.stages[0].name, 'builder');
  assert.equal(df.stages[1].index, 1);
  const [c1, c2] = df.stages[1].commands;
  assert.equal(c1.kind === 'copy' && c1.from, 'builder');
  assert.equal(c2.kind === 'copy' && c2.from, '0');
});

test('meta ARGs before FROM are kept apart', () => {
  const df = parse('ARG BASE=busybox\nARG TAG\nFROM ${BASE}:${TAG:-latest}\n');
  assert.equal(df.metaArgs.length, 2);
  assert.deepEqual(df.metaArgs[0].args, [{ key: 'BASE', value: 'busybox' }]);
  const from = expandInstruction(df.stages[0].from, env({ BASE: 'busybox' }));
  assert.equal(from.kind === 'from' && from.image, 'busybox:latest');
});

test('ENV in both syntaxes, with quotes, escapes and several pairs', () => {
  const a = only('ENV RVM_PATH /home/rvm');
  assert.deepEqual(a.kind === 'env' && a.pairs, [{ key: 'RVM_PATH', value: '/home/rvm' }]);
  const b = only('ENV RVM_PATH=/home/rvm  RVM_ARCHFLAGS="-arch i386" X=a\\ b');
  const expanded = expandInstruction(b, env({}));
  assert.deepEqual(expanded.kind === 'env' && expanded.pairs, [
    { key: 'RVM_PATH', value: '/home/rvm' },
    { key: 'RVM_ARCHFLAGS', value: '-arch i386' },
    { key: 'X', value: 'a b' },
  ]);
  const c = expandInstruction(only('ENV MSG hello   spaced world'), env({}));
  assert.deepEqual(c.kind === 'env' && c.pairs, [{ key: 'MSG', value: 'hello   spaced world' }]);
});

test('ENV errors carry docker\'s messages and the line', () => {
  assert.equal(parseError('FROM a\nENV ONLYKEY\n').message, 'dockerfile parse error on line 2: ENV must have two arguments');
  assert.match(parseError('FROM a\n\nENV A=1 B\n').message, /^dockerfile parse error on line 3: Syntax error - can't find = in "B"/);
});

test('unknown instructions and argument-count errors', () => {
  assert.equal(parseError('FROM a\nRUN x\nFOO bar\n').message, 'dockerfile parse error on line 3: unknown instruction: FOO');
  assert.equal(parseError('FROM a\nCOPY onlyone\n').message,
    'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined');
  assert.equal(parseError('FROM a b\n').message, 'dockerfile parse error on line 1: FROM requires either one or three arguments');
  assert.equal(parseError('FROM a AS 1x\n').message,
    'dockerfile parse error on line 1: invalid name for build stage: "1x", name can\'t start with a number or contain symbols');
  assert.equal(parseError('FROM a\nWORKDIR\n').message, 'dockerfile parse error on line 2: WORKDIR requires exactly one argument');
  assert.equal(parseError('FROM a\nSHELL /bin/bash -c\n').message, 'dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form');
  assert.equal(parseError('RUN x\n').message, 'dockerfile parse error on line 1: no build stage in current context');
  assert.equal(parseError('# just a comment\n\n').message, 'dockerfile parse error on line 2: file with no instructions');
  assert.equal(parseError('FROM a\nCMD ["a", 1]\n').message,
    'dockerfile parse error on line 2: when using JSON array syntax, arrays must be comprised of strings only');
  assert.equal(parseError('FROM a\nCOPY --chwon=1 a b\n').message, 'dockerfile parse error on line 2: unknown flag: --chwon');
  assert.equal(parseError('FROM a\nCOPY --from a b\n').message, 'dockerfile parse error on line 2: missing a value on flag: --from');
  assert.match(parseError('FROM a\nRUN --mount=type=cache,target=/x true\n').message, /the --mount option requires BuildKit/);
});

test('line continuations skip comment lines and blank lines, and the escape directive changes the token', () => {
  const df = parse('FROM a\nRUN echo a \\\n# inner comment\n\n    b\n');
  const run = df.stages[0].commands[0];
  assert.equal(run.kind === 'run' && run.cmd[0], 'echo a     b');
  assert.equal(df.warnings.length, 1);
  const win = parse('# escape=`\nFROM a\nRUN echo `\n  c:\\path\n');
  assert.equal(win.escapeToken, '`');
  const r = win.stages[0].commands[0];
  assert.equal(r.kind === 'run' && r.cmd[0], 'echo   c:\\path');
  assert.equal(r.line, 3);
  // A directive after the first instruction is only a comment.
  assert.equal(parse('FROM a\n# escape=`\nRUN x \\\n y\n').escapeToken, '\\');
  assert.equal(parseError('# escape=x\nFROM a\n').message, "dockerfile parse error on line 1: invalid escape token 'x' does not match ` or \\");
});

test('CMD and ENTRYPOINT shell and exec forms; empty ENTRYPOINT resets', () => {
  const shell = only('CMD echo "hi there"');
  assert.deepEqual(shell.kind === 'cmd' && [shell.cmd, shell.prependShell], [['echo "hi there"'], true]);
  const ep = only('ENTRYPOINT []');
  assert.deepEqual(ep.kind === 'entrypoint' && [ep.cmd, ep.prependShell], [[], false]);
  const notJson = only("CMD ['single', 'quotes']");
  assert.deepEqual(notJson.kind === 'cmd' && notJson.cmd, ["['single', 'quotes']"]);
});

test('COPY/ADD JSON and whitespace forms, flags, expansion of sources and dest', () => {
  const c = only('COPY --chown=1:1 --chmod=644 ["a b.txt", "/dst dir/"]');
  assert.deepEqual(c.kind === 'copy' && [c.sources, c.dest, c.chown, c.chmod], [['a b.txt'], '/dst dir/', '1:1', '644']);
  const a = expandInstruction(only('ADD ${filename} $DIR/'), env({ filename: 'demo.txt', DIR: '/root' }));
  assert.deepEqual(a.kind === 'add' && [a.sources, a.dest], [['demo.txt'], '/root/']);
});

test('LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, MAINTAINER', () => {
  const l = expandInstruction(only('LABEL "com.example.vendor"="ACME" version=1.0 desc="a b"'), env({}));
  assert.deepEqual(l.kind === 'label' && l.pairs, [
    { key: 'com.example.vendor', value: 'ACME' }, { key: 'version', value: '1.0' }, { key: 'desc', value: 'a b' },
  ]);
  const e = expandInstruction(only('EXPOSE $PORTS 443/tcp'), env({ PORTS: '80 8080/udp' }));
  assert.deepEqual(e.kind === 'expose' && e.ports, ['80', '8080/udp', '443/tcp']);
  const v = only('VOLUME ["/data1","/data2"]');
  assert.deepEqual(v.kind === 'volume' && v.volumes, ['/data1', '/data2']);
  const v2 = only('VOLUME /a /b');
  assert.deepEqual(v2.kind === 'volume' && v2.volumes, ['/a', '/b']);
  const u = expandInstruction(only('USER ${U:-nginx}'), env({}));
  assert.equal(u.kind === 'user' && u.user, 'nginx');
  const w = expandInstruction(only('WORKDIR $TARGET_DIR'), env({ TARGET_DIR: '/opt/app' }));
  assert.equal(w.kind === 'workdir' && w.path, '/opt/app');
  const s = only('STOPSIGNAL SIGKILL');
  assert.equal(s.kind === 'stopsignal' && s.signal, 'SIGKILL');
  const m = only('MAINTAINER hello1 <h@example.com>');
  assert.equal(m.kind === 'maintainer' && m.maintainer, 'hello1 <h@example.com>');
});

test('RUN, CMD and ENTRYPOINT are not expanded by the builder', () => {
  const r = only('RUN echo $HOME');
  assert.deepEqual(expandInstruction(r, env({ HOME: '/x' })), r);
});

test('ONBUILD keeps the trigger text; chaining and FROM are refused', () => {
  const o = only('ONBUILD ADD . /var/log/');
  assert.equal(o.kind === 'onbuild' && o.expression, 'ADD . /var/log/');
  assert.equal(parseError('FROM a\nONBUILD ONBUILD RUN x\n').message,
    "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  assert.equal(parseError('FROM a\nONBUILD FROM b\n').message, "dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger");
  const t = parseTrigger('ADD . /var/log/');
  assert.deepEqual(t.kind === 'add' && [t.sources, t.dest], [['.'], '/var/log/']);
});

test('HEALTHCHECK forms and durations', () => {
  const h = only('HEALTHCHECK --interval=5m --timeout=3s --retries=2 CMD curl -f http://localhost/ || exit 1');
  assert.deepEqual(h.kind === 'healthcheck' && h.health, {
    Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], Interval: 300e9, Timeout: 3e9, StartPeriod: undefined, StartInterval: undefined, Retries: 2,
  });
  const j = only('HEALTHCHECK CMD ["true"]');
  assert.deepEqual(j.kind === 'healthcheck' && j.health.Test, ['CMD', 'true']);
  const n = only('HEALTHCHECK NONE');
  assert.deepEqual(n.kind === 'healthcheck' && n.health, { Test: ['NONE'] });
  assert.equal(parseError('FROM a\nHEALTHCHECK FOO x\n').message, 'dockerfile parse error on line 2: Unknown type "FOO" in HEALTHCHECK (try CMD)');
  assert.equal(parseGoDuration('1m30s'), 90e9);
  assert.equal(parseGoDuration('1.5h'), 5400e9);
  assert.equal(parseGoDuration('250ms'), 250e6);
  assert.throws(() => parseGoDuration('5'), /invalid duration/);
});

test('ARG with and without defaults, quoted values', () => {
  const a = expandInstruction(only('ARG filename\nARG X="a b"'.split('\n')[0]), env({}));
  assert.deepEqual(a.kind === 'arg' && a.args, [{ key: 'filename', value: undefined }]);
  const df = parse('FROM a\nARG X="a b" Y=2\n');
  const b = expandInstruction(df.stages[0].commands[0], env({}));
  assert.deepEqual(b.kind === 'arg' && b.args, [{ key: 'X', value: 'a b' }, { key: 'Y', value: '2' }]);
});
