#!/usr/bin/env node
// `npm run bench`: bundles bench/run.ts (and the data layer it measures) with esbuild, then runs it
// with this Node (24, from the `node` dev dependency when started through npm) and --expose-gc, so
// the memory figures are taken after real garbage collections. Arguments are passed through:
//   npm run bench -- --size small --driver node:sqlite --quick
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'out', 'bench.mjs');
await esbuild.build({
  entryPoints: [join(root, 'bench', 'run.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: ['better-sqlite3', 'esbuild', 'vscode'],
  // The data layer loads its native driver with createRequire(__filename), as in the CommonJS bundle.
  banner: {
    js:
      "import { createRequire as __benchRequire } from 'node:module';" +
      "import { fileURLToPath as __benchPath } from 'node:url';" +
      'const require = __benchRequire(import.meta.url); const __filename = __benchPath(import.meta.url);',
  },
  logLevel: 'warning',
});
const result = spawnSync(
  process.execPath,
  ['--expose-gc', '--no-warnings', outfile, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
