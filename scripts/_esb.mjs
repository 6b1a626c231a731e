import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { writeFileSync } from 'node:fs';
const [out, format = 'esm', ...entries] = process.argv.slice(2);
const builtins = new Set(builtinModules);
// Node builtins are required, never imported: an ESM import of node:http builds a facade that reads
// every export, and node:http's lazy WebSocket export loads undici (~15 ms).
const requireBuiltins = {
  name: 'require-builtins',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/0-9]+$/ }, (a) => {
      const bare = a.path.replace(/^node:/, '');
      if (!builtins.has(bare) && !builtins.has(a.path)) return undefined;
      if (a.namespace === 'builtin') return { path: a.path, external: true };
      return { path: bare, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({ contents: `module.exports = require(${JSON.stringify('node:' + a.path)});`, loader: 'js' }));
  },
};
for (const e of entries) {
  await build({
    entryPoints: [e.includes('/') ? e : `src/${e}.ts`], bundle: true, platform: 'node', format, target: 'node22', minify: true,
    splitting: format === 'esm', mainFields: ['module', 'main'], outdir: `${out}/${e.split('/').pop().replace(/^entry-|\.ts$/g, '')}`, entryNames: 'index',
    banner: format === 'esm' ? { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" } : {},
    plugins: [requireBuiltins], logLevel: 'warning', metafile: true,
  }).then((r) => writeFileSync(`${out}/${e.split('/').pop().replace(/^entry-|\.ts$/g, '')}/meta.json`, JSON.stringify(r.metafile)));
  writeFileSync(`${out}/${e.split('/').pop().replace(/^entry-|\.ts$/g, '')}/package.json`, JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' }));
}
