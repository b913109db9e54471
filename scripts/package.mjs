// Packages the extension as a VSIX with @vscode/vsce.
//   node scripts/package.mjs                 universal VSIX (prebuilt binaries for every platform)
//   node scripts/package.mjs --target T      one platform: linux-x64, linux-arm64, darwin-x64,
//                                            darwin-arm64, win32-x64, alpine-x64 (or `all` for each)
// better-sqlite3 stays outside the bundle and ships with only what it needs to load: its package.json,
// lib/ and the prebuilt binary (or binaries) for the target. Packaging fails if a binary is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** VS Code's target names → the file better-sqlite3 13 loads on that platform. */
export const TARGET_BINARIES = {
  'linux-x64': 'linux-x64.node',
  'linux-arm64': 'linux-arm64.node',
  'darwin-x64': 'darwin-x64.node',
  'darwin-arm64': 'darwin-arm64.node',
  'win32-x64': 'win32-x64.node',
  'alpine-x64': 'linuxmusl-x64.node',
};

const prebuilds = join(root, 'node_modules', 'better-sqlite3', 'prebuilds');

/** The .vscodeignore for `target` (undefined: universal), written to out/; test/packaging.test.ts uses it. */
export function ignoreFileFor(target) {
  const base = readFileSync(join(root, '.vscodeignore'), 'utf8');
  const binaries = target ? [TARGET_BINARIES[target]] : Object.values(TARGET_BINARIES);
  const include = binaries.map((file) => `!node_modules/better-sqlite3/prebuilds/${file}`).join('\n');
  const path = join(root, 'out', `vscodeignore-${target ?? 'universal'}`);
  mkdirSync(join(root, 'out'), { recursive: true });
  writeFileSync(path, `${base}\n# prebuilt binaries for ${target ?? 'every platform'}\n${include}\n`);
  return path;
}

function checkBinaries(target) {
  const needed = target ? [TARGET_BINARIES[target]] : Object.values(TARGET_BINARIES);
  if (target && !needed[0])
    throw new Error(`Unknown target ${target}; use one of ${Object.keys(TARGET_BINARIES)}`);
  for (const file of needed) {
    if (!existsSync(join(prebuilds, file))) {
      throw new Error(`better-sqlite3 has no prebuilt binary ${file} for ${target ?? 'the universal VSIX'}.`);
    }
  }
}

function main(args) {
  const targetArg = args.includes('--target') ? args[args.indexOf('--target') + 1] : undefined;
  const skipBuild = args.includes('--no-build');
  const targets = targetArg === 'all' ? Object.keys(TARGET_BINARIES) : [targetArg];
  if (!skipBuild)
    execFileSync(process.execPath, [join(root, 'esbuild.mjs'), '--production'], { stdio: 'inherit' });
  for (const target of targets) {
    checkBinaries(target);
    const out = join(root, `${packageJson.name}-${target ?? 'universal'}-${packageJson.version}.vsix`);
    const vsceArgs = ['package', '--no-yarn', '--ignoreFile', ignoreFileFor(target), '--out', out];
    if (target) vsceArgs.push('--target', target);
    execFileSync(join(root, 'node_modules', '.bin', 'vsce'), vsceArgs, { stdio: 'inherit', cwd: root });
    console.log(`${out}: ${(statSync(out).size / 1024 / 1024).toFixed(2)} MB`);
  }
}

// Packages only when run as a script, so tests can import ignoreFileFor and TARGET_BINARIES.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2));
