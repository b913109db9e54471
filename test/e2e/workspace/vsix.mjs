// The VSIX the real-VS-Code tests install: the one named by --vsix, or a fresh one for this machine's
// platform from scripts/package.mjs (production build included), so a test never runs a stale package.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './build.mjs';

/** VS Code's target name for this machine (the package script's --target). */
export function currentTarget() {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  if (process.platform === 'linux') {
    // musl (Alpine) reports no glibc version.
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    return glibc ? `linux-${arch}` : 'alpine-x64';
  }
  if (process.platform === 'darwin') return `darwin-${arch}`;
  if (process.platform === 'win32') return 'win32-x64';
  throw new Error(`No VSIX target for ${process.platform}-${process.arch}.`);
}

/** Where scripts/package.mjs writes the VSIX for `target`. */
export function vsixPath(target = currentTarget()) {
  const { name, version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  return path.join(REPO_ROOT, `${name}-${target}-${version}.vsix`);
}

/**
 * `given` when set (it must exist); otherwise packages the extension for this machine and returns the
 * new file. `log` receives one line per step.
 */
export function ensureVsix(given, log = console.log) {
  if (given) {
    const file = path.resolve(given);
    if (!existsSync(file)) throw new Error(`Unable to find ${file}. Run npm run package first.`);
    return file;
  }
  const target = currentTarget();
  const started = Date.now();
  log(`packaging the extension for ${target} (node scripts/package.mjs --target ${target}) ...`);
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs'), '--target', target], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const file = vsixPath(target);
  if (!existsSync(file)) throw new Error(`scripts/package.mjs did not write ${file}.`);
  log(`packaged ${path.basename(file)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return file;
}
