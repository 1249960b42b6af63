// Bundles the CLI into dist/ so `bin/skiff` starts fast: dist/main.cjs (global flags and dispatch) and one
// self-contained CommonJS bundle per command module that main.ts loads lazily (docker.cjs for every
// docker verb, server.cjs, agent.cjs, ...). CommonJS because Node 20 can give CommonJS code a V8 code
// cache (src/cli/compile-cache.ts) and starts a CommonJS entry faster than an ES module one.
import { build } from 'esbuild';
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const mainTs = path.join(root, 'src/cli/main.ts');

/** main.ts's lazily imported command modules → bundle names: './server.js' → server, './docker/index.js' → docker. */
const commands = new Map(
  [...fs.readFileSync(mainTs, 'utf8').matchAll(/import\('(\.\/[^']+)\.js'\)/g)].map((m) => [`${m[1]}.js`, m[1].slice(2).replace(/\/index$/, '').replace(/\//g, '-')]),
);

// npm packages stay in node_modules, except the pure-JS part of better-sqlite3: loaded from there it is
// ~15 CommonJS files resolved and compiled one by one on every CLI start (the addon path is passed in).
const bundled = new Set(['better-sqlite3']);
const resolution = {
  name: 'skiff-resolution',
  setup(b) {
    // main.ts's command modules are their own bundles, required from main.cjs when their verb runs.
    b.onResolve({ filter: /^\.\// }, (args) => (args.importer === mainTs && commands.has(args.path) ? { path: `./${commands.get(args.path)}.cjs`, external: true } : undefined));
    // better-sqlite3 finds its addon through `bindings`, which searches from the calling file's package
    // (dist/ then): point it at the addon inside the installed better-sqlite3 instead.
    b.onResolve({ filter: /^bindings$/ }, (args) => (args.importer.includes('better-sqlite3') ? { path: 'bindings', namespace: 'sqlite-addon' } : { path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'sqlite-addon' }, () => ({
      contents: "const path = require('node:path'); module.exports = (name) => require(path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', name));",
      loader: 'js',
      resolveDir: root,
    }));
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      return bundled.has(args.path) ? undefined : { path: args.path, external: true };
    });
  },
};

const packageVersion = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

/** Bundles the CLI into outDir (dist/ for bin/skiff; tests bundle the current sources privately). */
export async function buildCli(outDir) {
  // Code caches are keyed by their bundle's size and mtime; a new build makes the old ones garbage.
  fs.rmSync(path.join(outDir, 'cache'), { recursive: true, force: true });
  const result = await build({
    entryPoints: {
      main: mainTs,
      ...Object.fromEntries([...commands].map(([rel, name]) => [name, path.join(root, 'src/cli', rel.replace(/\.js$/, '.ts'))])),
    },
    outdir: outDir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // import() becomes require(): lazily imported modules of a bundle are inlined in it, and code compiled
    // with a code cache (vm.Script) has no loader for dynamic imports.
    supported: { 'dynamic-import': false },
    // The version is fixed at build time (as docker's is by its linker flags): a bundle may live anywhere.
    define: { 'import.meta.url': '__skiffBundleUrl', __SKIFF_VERSION__: JSON.stringify(packageVersion) },
    banner: { js: "const __skiffBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [resolution],
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  });
  for (const file of result.outputFiles) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    fs.writeFileSync(file.path, file.path.endsWith('.cjs') ? asciiOnly(lazyBuiltins(file.text)) : file.contents);
  }
}

/**
 * esbuild turns each module's `import … from 'node:fs'` into `__toESM(require("node:fs"), 1)`, run when
 * the module is first needed: it loads the builtin and copies every export into a fresh object (a getter
 * each), once per importing module (the docker bundle has 131 of them: ~5 ms of every `skiff run`).
 * A shared proxy per builtin loads it on the first property read and hands out its exports as they are.
 */
const LAZY_BUILTINS = [
  'var __skiffBuiltins = new Map();',
  'var __skiffBuiltin = (id) => {',
  'let proxy = __skiffBuiltins.get(id); if (proxy) return proxy;',
  'let mod; const load = () => (mod ??= require(id));',
  'const has = (k) => k === "default" || k in load(); const get = (k) => (k === "default" ? load() : load()[k]);',
  'proxy = new Proxy({}, { get: (_, k) => get(k), has: (_, k) => has(k), ownKeys: () => ["default", ...Reflect.ownKeys(load())],',
  'getOwnPropertyDescriptor: (_, k) => (has(k) ? { value: get(k), writable: false, enumerable: true, configurable: true } : undefined) });',
  '__skiffBuiltins.set(id, proxy); return proxy; };',
].join(' ');

function lazyBuiltins(code) {
  const out = code.replace(/__toESM\(require\("(node:[a-z0-9_/]+)"\), 1\)/g, (_, id) => `__skiffBuiltin(${JSON.stringify(id)})`);
  if (out === code) return code;
  // On the "use strict" line, so that every following line keeps its place in the source map.
  return out.replace('"use strict";\n', `"use strict"; ${LAZY_BUILTINS}\n`);
}

/**
 * esbuild leaves non-ASCII characters in comments and regular expression literals, and one of them
 * makes Node decode the whole bundle as UTF-8 into a two-byte string (milliseconds per start for
 * docker.cjs). A \uXXXX escape means the same character in every place JavaScript allows one.
 */
function asciiOnly(code) {
  return code.replace(/[^\x00-\x7f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildCli(path.join(root, 'dist'));
