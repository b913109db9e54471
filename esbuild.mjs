// Builds the extension host bundle, the CLI and the webview bundles, and prints their sizes.
// better-sqlite3 stays external: it is a native module shipped beside the bundle in the VSIX.
import * as esbuild from 'esbuild';
import { statSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['vscode', 'better-sqlite3'],
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  metafile: true,
};

const builds = [
  { ...nodeCommon, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  {
    ...nodeCommon,
    entryPoints: ['src/cli/bin.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
];

// One bundle per panel page, plus its stylesheet as a real .css file (the pages' CSP has no
// 'unsafe-inline', so styles must come from files).
export const webviewEntries = [
  { in: 'webview/metrics/main.tsx', out: 'dist/webview/metrics.js' },
  { in: 'media/webview/metrics.css', out: 'dist/webview/metrics.css' },
  { in: 'webview/timeline/main.tsx', out: 'dist/webview/timeline.js' },
  { in: 'media/webview/timeline.css', out: 'dist/webview/timeline.css' },
];

for (const entry of webviewEntries) {
  builds.push({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: [entry.in],
    outfile: entry.out,
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    metafile: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
}

const sizes = [];
for (const options of builds) {
  if (watch) {
    const context = await esbuild.context(options);
    await context.watch();
    continue;
  }
  const result = await esbuild.build(options);
  for (const output of Object.keys(result.metafile.outputs)) {
    if (!output.endsWith('.map')) sizes.push([output, statSync(output).size]);
  }
}
if (!watch) {
  for (const [file, size] of sizes)
    console.log(`${file.padEnd(40)} ${(size / 1024).toFixed(1).padStart(8)} kB`);
}
