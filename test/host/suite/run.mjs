// `npm run test:host`: the in-host mocha suite against the PACKAGED extension, inside code-server's
// extension host (test/host/run-codeserver.mjs), in two workspaces:
//   fixture/      a mergexo.toml pointing at a re-dated copy of test/fixtures/small.db, with a
//                 writer.lock held by this process (a running MergeXO, as far as the extension can tell)
//   no-database/  an empty folder and an empty HOME: nothing to find
//
//   node test/host/suite/run.mjs [--vsix <file>] [--grep <text>] [--electron [--vscode-version V]]
//
// Without --vsix it packages first (scripts/package.mjs --target <this machine>). Each run prints its
// tests; this script ends with the sum as `N passed, N failed` and exits non-zero on any failure.
//
// --electron runs the same suite in desktop VS Code through @vscode/test-electron
// (test/host/run-electron.mjs), which downloads VS Code: for machines that can reach its download
// servers (not this project's CI). The VSIX is unpacked and loaded as the development extension. On
// Linux without a display: `xvfb-run -a npm run test:host -- --electron`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { acquireLock, releaseLock } from '../../../tools/mergexo-writer.mjs';
import { REPO_ROOT, buildEmptyWorkspace, buildFixtureWorkspace } from '../../e2e/workspace/build.mjs';
import { ensureVsix } from '../../e2e/workspace/vsix.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(REPO_ROOT, '.cache', 'host-suite');

const log = (message) => console.log(`[host-suite] ${message}`);

/**
 * Runs one workspace's suite through run-codeserver.mjs (or run-electron.mjs), echoing its output;
 * resolves to its exit code and its `N passed, N failed` line.
 */
function runSuite(name, args, { electron, env = {} }) {
  return new Promise((resolve, reject) => {
    const runner = path.join(REPO_ROOT, 'test', 'host', electron ? 'run-electron.mjs' : 'run-codeserver.mjs');
    const extra = electron
      ? [] // VS Code inherits this script's environment (env below)
      : [
          '--run-dir',
          path.join(ROOT, `${name}-run`),
          ...Object.entries(env).map(([k, v]) => `--env=${k}=${v}`),
        ];
    const child = spawn(process.execPath, [runner, ...args, ...extra], {
      cwd: REPO_ROOT,
      env: electron ? { ...process.env, ...env } : process.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let summary;
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        const match = /^(\d+) passed, (\d+) failed/.exec(line);
        // The sum below is the run's closing line; each suite's own is shown with its name.
        if (match) summary = { passed: Number(match[1]), failed: Number(match[2]) };
        console.log(match ? `  ${name}: ${line}` : line);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), summary }));
  });
}

/** The VSIX's `extension/` folder, unpacked for --extensionDevelopmentPath (desktop VS Code). */
function unpack(vsix) {
  const target = path.join(ROOT, 'vsix');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const result = spawnSync('unzip', ['-q', vsix, 'extension/*', '-d', target], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`Unable to unzip ${vsix}.`);
  return path.join(target, 'extension');
}

async function main() {
  const started = Date.now();
  const { values } = parseArgs({
    options: {
      vsix: { type: 'string' },
      grep: { type: 'string' },
      electron: { type: 'boolean', default: false },
      'vscode-version': { type: 'string' },
    },
  });
  const vsix = ensureVsix(values.vsix, log);
  // Failure screenshots and logs of an earlier run would read as this run's.
  const resultsDir = path.join(REPO_ROOT, 'test-results');
  for (const name of existsSync(resultsDir) ? readdirSync(resultsDir) : []) {
    if (/^(fixture|no-database)-run-/.test(name)) rmSync(path.join(resultsDir, name), { recursive: true });
  }
  const { electron } = values;
  const grep = values.grep ? ['--grep', values.grep] : [];
  const common = ['--extension', electron ? unpack(vsix) : vsix, ...grep, '--timeout', '240'];
  if (electron && values['vscode-version']) common.push('--vscode-version', values['vscode-version']);

  const fixture = buildFixtureWorkspace({ root: path.join(ROOT, 'fixture') });
  writeFileSync(path.join(fixture.root, 'run.json'), JSON.stringify(fixture, null, 2));
  log(
    `fixture workspace ${path.relative(REPO_ROOT, fixture.workspace)} (re-dated by ${fixture.offsetSeconds} s)`,
  );
  // A live writer.lock owner: MergeXO is "running", so the views show the fixture as it is.
  acquireLock(fixture.baseDir, { command: 'service' });

  const empty = buildEmptyWorkspace({ root: path.join(ROOT, 'no-database') });
  const home = path.join(empty.root, 'home');
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(empty.root, 'run.json'), JSON.stringify({ ...empty, home }, null, 2));

  const results = [];
  try {
    results.push(
      await runSuite(
        'fixture',
        [...common, ...['--tests', path.join(HERE, 'fixture'), '--workspace', fixture.workspace]],
        { electron },
      ),
    );
  } finally {
    releaseLock();
  }
  results.push(
    await runSuite(
      'no-database',
      [...common, ...['--tests', path.join(HERE, 'no-database'), '--workspace', empty.workspace]],
      { electron, env: { HOME: home } },
    ),
  );

  const passed = results.reduce((sum, result) => sum + (result.summary?.passed ?? 0), 0);
  // A run that printed no summary, or exited non-zero with none failed, counts as one failure.
  const failed = results.reduce((sum, { code, summary }) => {
    if (!summary) return sum + 1;
    if (values.grep && summary.passed + summary.failed === 0) return sum; // --grep matched nothing there
    return sum + summary.failed + (code !== 0 && summary.failed === 0 ? 1 : 0);
  }, 0);
  log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(`[host-suite] ${error instanceof Error ? error.stack : error}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
