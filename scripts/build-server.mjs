#!/usr/bin/env node
// Compile the server to plain JavaScript for `npm start` and the Docker image:
// one ESM bundle per entry (server/main.ts → dist/server/main.js and its lazily
// loaded chunks, the agenda import worker → dist/server/parse-worker.mjs, the heavy-work pool's
// worker → dist/server/heavy-worker.mjs), with source maps for
// `node --enable-source-maps`. Packages from node_modules stay imports (the
// native better-sqlite3 among them), so the runtime needs the production
// dependencies only: no TypeScript loader.
//
// Usage: node scripts/build-server.mjs [--outdir dist/server]
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const at = args.indexOf('--outdir');
const outdir = path.resolve(ROOT, at >= 0 && args[at + 1] ? args[at + 1] : 'dist/server');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  // Sources in the map are relative to the map; keep their text so traces show it.
  sourcesContent: true,
  logLevel: 'warning',
  absWorkingDir: ROOT,
};

/**
 * The worker (server/import/parse-worker.mjs) loads the TypeScript parser
 * through tsx's `tsImport` when run from source. In the build, `tsx/esm/api`
 * becomes a module that imports those same files statically, so the parser
 * is bundled into the worker and tsx is not needed at run time.
 */
const tsImportShim = {
  name: 'tsx-import-shim',
  setup(b) {
    b.onResolve({ filter: /^tsx\/esm\/api$/ }, (a) => ({
      path: path.relative(ROOT, a.importer),
      namespace: 'tsx-import-shim',
    }));
    b.onLoad({ filter: /.*/, namespace: 'tsx-import-shim' }, (a) => {
      const file = path.resolve(ROOT, a.path);
      const source = readFileSync(file, 'utf8');
      const specifiers = [...source.matchAll(/tsImport\(\s*'([^']+)'/g)].map((m) => m[1]);
      if (specifiers.length === 0)
        throw new Error(`${a.path} uses tsx/esm/api without a literal tsImport('…')`);
      const lines = specifiers.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};`);
      const table = specifiers.map((s, i) => `${JSON.stringify(s)}: m${i}`).join(', ');
      return {
        contents:
          `${lines.join('\n')}\nconst modules = { ${table} };\n` +
          'export async function tsImport(specifier) {\n' +
          '  const m = modules[specifier];\n' +
          '  if (!m) throw new Error(`not bundled: ${specifier}`);\n' +
          '  return m;\n}\n',
        resolveDir: path.dirname(file),
        loader: 'js',
      };
    });
  },
};

// A fresh folder: chunk names carry hashes, and old chunks must not linger.
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
await Promise.all([
  // Split: modules imported only when configured (the PostgreSQL store, the Redis relay) are
  // chunks beside main.js, loaded on first use. Same folder, so import.meta.url stays dist/server.
  build({
    ...common,
    entryPoints: { main: 'server/main.ts' },
    outdir,
    splitting: true,
    chunkNames: '[name]-[hash]',
  }),
  build({
    ...common,
    entryPoints: ['server/import/parse-worker.mjs'],
    outfile: path.join(outdir, 'parse-worker.mjs'),
    plugins: [tsImportShim],
  }),
  // The heavy-work pool's worker (server/work/pool.ts): exports, suggestions, history.
  build({
    ...common,
    entryPoints: ['server/work/heavy-worker.mjs'],
    outfile: path.join(outdir, 'heavy-worker.mjs'),
    plugins: [tsImportShim],
  }),
]);
// Read at run time next to the code (server/demo/index.ts: the bundled demo page).
copyFileSync(path.join(ROOT, 'server/demo/demo-workshop.md'), path.join(outdir, 'demo-workshop.md'));
console.log(`server built in ${path.relative(ROOT, outdir) || '.'}`);
