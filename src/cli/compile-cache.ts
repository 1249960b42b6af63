// A V8 code cache for the bundled CLI: what Node 22's module.enableCompileCache() does, for Node 20.
// Each CommonJS bundle in dist/ is compiled with the code V8 produced in an earlier run of the same
// command, which includes every function that run compiled, so a short `skiff run` neither parses nor
// compiles them again (about a third of the CLI's own start-up time).
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

type Loader = (module: NodeJS.Module, filename: string) => void;

/**
 * Compiles the `.cjs` bundles that `dir` holds with a code cache kept in `dir/cache`, one per bundle and
 * `profile` (the verb being run: `run` and `ps` compile different functions). A missing or rejected
 * cache is written when the process exits.
 */
export function enableCompileCache(dir: string, profile: string): void {
  // Source maps apply to files the module loader compiles, so debugging runs (SKIFF_DEBUG) go without.
  if (process.execArgv.includes('--enable-source-maps')) return;
  const extensions = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
  const plain = extensions['.cjs'];
  const cacheDir = path.join(dir, 'cache');
  const unsaved: Array<{ script: vm.Script; file: string }> = [];
  extensions['.cjs'] = (module, filename) => {
    if (path.dirname(filename) !== dir) return plain(module, filename);
    const source = fs.readFileSync(filename, 'utf8');
    const st = fs.statSync(filename);
    // V8 checks only the source's length against a cache: the key must change with every build.
    const file = path.join(cacheDir, `${path.basename(filename)}-${profile}-${st.size}-${Math.trunc(st.mtimeMs)}-${process.version}-${process.arch}`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) unsaved.push({ script, file });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(module.exports, module.exports, Module.createRequire(filename), module, filename, dir);
  };
  process.once('exit', () => {
    for (const { script, file } of unsaved) {
      // A cache is an optimisation: a read-only dist/ or a full disk only means the next run compiles.
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${file}.${process.pid}`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, file);
      } catch {
        continue;
      }
    }
  });
}
