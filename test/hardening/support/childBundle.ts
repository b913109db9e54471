// Bundles a TypeScript entry for a child process (node cannot run our extension-less TS imports
// directly). The bundle lands in the repository's git-ignored .cache, so `better-sqlite3` resolves
// from node_modules and an unprivileged user can read it.
import { buildSync } from 'esbuild';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
let counter = 0;
const made: string[] = [];

export function bundleForChild(entry: string): string {
  const dir = join(ROOT, '.cache', 'hardening');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const outfile = join(dir, `${basename(entry, '.ts')}-${process.pid}-${++counter}.cjs`);
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['better-sqlite3'],
    logLevel: 'error',
  });
  chmodSync(outfile, 0o644);
  made.push(outfile);
  return outfile;
}

/** Removes the bundles this process made (call from afterAll). */
export function removeBundles(): void {
  for (const file of made.splice(0)) rmSync(file, { force: true });
}
