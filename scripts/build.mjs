// Bundles each entry point into dist/<name>/index.js with @vercel/ncc.
// One bundle per entry keeps each step loading only what it uses (verify never loads the SDK).
// src/tsconfig.json scopes ncc's type check to src/, so a broken test never blocks a build.
import ncc from '@vercel/ncc';
import ts from 'typescript';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

// verify-lib is the programmatic API (package export `license-gate/verify`), with its types.
const entries = ['main', 'post', 'keepalive', 'verify', 'verify-lib'];
const only = process.argv.slice(2);

for (const name of only.length ? only : entries) {
  const { code, assets } = await bundle(name);
  const out = join('dist', name);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'index.js'), code);
  for (const [file, { source }] of Object.entries(assets ?? {})) {
    await mkdir(join(out, file, '..'), { recursive: true });
    await writeFile(join(out, file), source);
  }
  if (name === 'verify-lib') declarations(out);
  console.log(`dist/${name}/index.js ${(code.length / 1024).toFixed(0)} KiB`);
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
  if (diagnostics.length) {
    console.error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' }));
    process.exit(1);
  }
}

// ncc's errors carry its whole minified source; print the diagnostics only.
async function bundle(name) {
  try {
    return await ncc(resolve('src', `${name}.ts`), {
      minify: true,
      sourceMap: false,
      quiet: true,
      target: 'es2022',
      license: 'licenses.txt',
    });
  } catch (error) {
    console.error(`build of ${name} failed:\n${String(error?.message ?? error).slice(0, 4000)}`);
    process.exit(1);
  }
}
