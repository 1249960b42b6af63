// Bundles the CLI into dist/ so `bin/skiff` starts fast (one file per lazily loaded command).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// npm packages stay in node_modules, except the pure-JS part of better-sqlite3: loaded from there it is
// ~15 CommonJS files resolved and compiled one by one on every CLI start (the addon path is passed in).
const bundled = new Set(['better-sqlite3']);
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    // better-sqlite3 finds its addon through `bindings`, which searches from the calling file's package
    // (dist/ then): point it at the addon inside the installed better-sqlite3 instead.
    b.onResolve({ filter: /^bindings$/ }, (args) => (args.importer.includes('better-sqlite3') ? { path: 'bindings', namespace: 'sqlite-addon' } : { path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'sqlite-addon' }, () => ({
      contents: "const path = require('node:path'); module.exports = (name) => require(path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', name));",
      loader: 'js',
      resolveDir: root,
    }));
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const pkg = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return bundled.has(pkg) ? undefined : { path: args.path, external: true };
    });
  },
};
await build({
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  outdir: path.join(root, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [externalPackages],
  sourcemap: 'linked',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __skiffCreateRequire } from 'node:module'; const require = __skiffCreateRequire(import.meta.url);" },
});
