// Bundles each entry point into dist/<name>/ with esbuild: ESM, tree-shaken from the packages' ES
// module builds, with code a step rarely needs (credential chain, license-token exchange, borrow
// verification, KMS) split into chunks that load only when used. One folder per entry keeps each
// step loading only what it uses (verify never loads the SDK). The type check comes first, so a
// type error in src/ fails the build as it did with ncc.
import { build } from 'esbuild';
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

// verify-lib is the programmatic API (package export `license-gate/verify`), with its types.
const entries = ['main', 'post', 'keepalive', 'extend', 'verify', 'verify-lib'];
const only = process.argv.slice(2);

/**
 * Node built-ins are taken with process.getBuiltinModule, never `import`ed: an ESM import of
 * node:http builds a namespace facade that reads every export, and node:http's lazy WebSocket
 * export then loads Node's bundled undici (~15 ms per step) that nothing here uses. For our own
 * src a built-in becomes an ES module exporting just the members src imports (read from the
 * sources, so the output does not depend on the Node that builds it, and no deprecated member is
 * ever read); packages get a CommonJS module, which also serves `require()`.
 */
const builtins = new Set(builtinModules);
const builtinsByGetter = {
  name: 'builtins-by-getter',
  setup(b) {
    const used = builtinMembersUsedBySrc();
    b.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, ({ path, importer }) => {
      const bare = path.replace(/^node:/, '');
      if (!builtins.has(bare)) return undefined;
      return { path: bare, namespace: importer.includes('node_modules') ? 'builtin-cjs' : 'builtin-esm' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin-cjs' }, ({ path }) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(`node:${path}`)});`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'builtin-esm' }, ({ path }) => {
      const members = [...(used.get(path) ?? [])].sort();
      if (!members.length) return { errors: [{ text: `src uses node:${path} in a form this build does not read: write import { … } from 'node:${path}' or const { … } = await import('node:${path}')` }] };
      return { contents: [`const m = process.getBuiltinModule(${JSON.stringify(`node:${path}`)});`, ...members.map((n) => `export const ${n} = m.${n};`)].join('\n'), loader: 'js' };
    });
  },
};

/** Built-in → the members src imports from it by name (`import { a, type B, c as d } from 'node:x'`, `const { a } = await import('node:x')`). */
function builtinMembersUsedBySrc() {
  const used = new Map();
  for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(join('src', file), 'utf8');
    for (const [, names, module] of [...source.matchAll(/^\s*(?:import \{([^}]*)\} from|const \{([^}]*)\} = await import\() ?'node:([a-z_/]+)'/gm)].map(([all, a, b, m]) => [all, a ?? b, m])) {
      const members = used.get(module) ?? new Set();
      for (const spec of names.split(',').map((n) => n.trim()).filter((n) => n && !n.startsWith('type '))) members.add(spec.split(/\s+as\s+/)[0]);
      used.set(module, members);
    }
  }
  return used;
}

typecheck();
for (const name of only.length ? only : entries) {
  const out = join('dist', name);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const result = await bundle(name, out);
  await writeFile(join(out, 'package.json'), `{\n  "type": "${format(name) === 'cjs' ? 'commonjs' : 'module'}"\n}\n`);
  await writeFile(join(out, 'licenses.txt'), licenses(result.metafile));
  if (name === 'verify-lib') declarations(out);
  const files = Object.entries(result.metafile.outputs);
  const entry = files.find(([file]) => file.endsWith('/index.js'))?.[1].bytes ?? 0;
  console.log(`dist/${name}/index.js ${(entry / 1024).toFixed(0)} KiB + ${files.length - 1} chunks`);
}

/**
 * The keepalive is CommonJS: it sleeps through the job, and Node's ES module loader would stay
 * resident in it for nothing (1.5 MiB of a minimal sleeper).
 */
function format(name) {
  return name === 'keepalive' ? 'cjs' : 'esm';
}

async function bundle(name, outdir) {
  const library = name === 'verify-lib';
  const single = library || format(name) === 'cjs';
  try {
    return await build({
      entryPoints: { index: resolve('src', `${name}.ts`) },
      outdir,
      bundle: true,
      platform: 'node',
      format: format(name),
      target: 'es2022',
      // Packages' ES module builds tree-shake; their CommonJS builds ship every command of a client.
      mainFields: ['module', 'main'],
      splitting: !single,
      minify: true,
      legalComments: 'none',
      chunkNames: '[name]-[hash]',
      // The library imports built-ins plainly: its users' Node may predate process.getBuiltinModule (20.16).
      plugins: library ? [] : [builtinsByGetter],
      metafile: true,
      logLevel: 'warning',
    });
  } catch {
    // esbuild has printed the errors.
    process.exit(1);
  }
}

/** The license text of every package bundled into one entry, as ncc's licenses.txt had them. */
function licenses(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDir(input);
    if (dir && !packages.has(dir)) packages.set(dir, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')));
  }
  return [...packages]
    .sort(([, a], [, b]) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(([dir, pkg]) => {
      const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
      return `${pkg.name}\n${pkg.license ?? 'UNKNOWN'}\n${file ? readFileSync(join(dir, file), 'utf8').trim() : ''}\n`;
    })
    .join('\n');
}

/** The folder of the package an input file belongs to (the nearest package.json with a name), or undefined for our own src. */
function packageDir(input) {
  if (!input.includes('node_modules/')) return undefined;
  for (let dir = dirname(resolve(input)); dir.includes('node_modules'); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name) return dir;
  }
  return undefined;
}

function typecheck() {
  const config = ts.getParsedCommandLineOfConfigFile(resolve('src/tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: fail });
  const program = ts.createProgram(config.fileNames, { ...config.options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length) fail(diagnostics);
}

/** The .d.ts files of the programmatic API, so TypeScript users of `license-gate/verify` get types. */
function declarations(out) {
  const program = ts.createProgram([resolve('src/verify-lib.ts')], {
    ...ts.convertCompilerOptionsFromJson({ target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'] }, '.').options,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: resolve('src'),
    outDir: resolve(out, 'types'),
  });
  const { diagnostics } = program.emit();
  if (diagnostics.length) fail(diagnostics);
}

function fail(diagnostics) {
  const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
  console.error(ts.formatDiagnostics(list, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' }));
  process.exit(1);
}
