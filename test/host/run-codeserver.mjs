// Runs a mocha suite inside the extension host of a real VS Code (code-server) and exits non-zero on
// failure. It builds nothing: the extension folder must already hold its package.json and built `main`.
//
//   node test/host/run-codeserver.mjs [--extension <folder or .vsix>] [--workspace <folder>]
//       [--tests <folder>] [--grep <text>] [--test-timeout <ms>] [--timeout <s>]
//       [--env NAME=VALUE ...] [--run-dir <folder>]
//
// Defaults: --extension is the repo root, --tests is out/test/host, --workspace an empty folder,
// --run-dir .cache/host-run. A .vsix is installed with code-server's --install-extension (so the
// packaged files, native binary included, are what runs); a folder is linked. --env adds variables
// to code-server's environment, which its extension host inherits (e.g. HOME for discovery tests).
// Steps: fresh .cache/host-run/{extensions,user-data}; the extension linked and runner-extension/
// copied in, with a job.json telling the runner what to run; code-server started; Chromium opens it
// (code-server starts an extension host only for a connected client); the runner writes
// .cache/host-run/results.json, which is printed mocha-style, ending with `N passed, N failed`.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  REPO_ROOT,
  ensureCodeServer,
  installExtension,
  installedLocationOf,
  seconds,
  startCodeServer,
  waitFor,
} from '../../scripts/code-server.mjs';
import { Workbench, launchBrowser } from '../e2e/harness.mjs';
import { HOST_DIR, createJob, printSummary, readOptions } from './job.mjs';

let RUN_DIR = path.join(REPO_ROOT, '.cache', 'host-run');

/** Splits off the options only this script knows; the rest go to job.mjs's readOptions. */
function ownOptions(argv) {
  const { values, tokens } = parseArgs({
    args: argv,
    strict: false,
    tokens: true,
    options: {
      extension: { type: 'string' },
      env: { type: 'string', multiple: true },
      'run-dir': { type: 'string' },
    },
  });
  const vsix = values.extension?.endsWith('.vsix') ? path.resolve(values.extension) : undefined;
  const env = {};
  for (const pair of values.env ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--env needs NAME=VALUE, got ${pair}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  // Drop what we consumed (a .vsix stands in for the folder readOptions checks: the runner's).
  const rest = [];
  for (const token of tokens) {
    if (token.kind === 'option' && ['env', 'run-dir'].includes(token.name)) continue;
    if (token.kind === 'option' && token.name === 'extension' && vsix) continue;
    if (token.kind === 'option')
      rest.push(token.rawName, ...(token.value === undefined ? [] : [token.value]));
    else if (token.kind === 'positional') rest.push(token.value);
  }
  return { vsix, env, runDir: values['run-dir'] && path.resolve(values['run-dir']), rest };
}

/** Where --install-extension put the extension `id` (from the extensions.json it writes). */
function installedFolder(extensionsDir, id) {
  const entries = JSON.parse(readFileSync(path.join(extensionsDir, 'extensions.json'), 'utf8'));
  const entry = entries.find((e) => e.identifier?.id?.toLowerCase() === id);
  if (!entry)
    throw new Error(`Unable to find ${id} in ${extensionsDir}/extensions.json after installing it.`);
  return entry.location.fsPath ?? entry.location.path;
}

/** The id (publisher.name) in a .vsix's manifest, read with unzip. */
function vsixId(vsix) {
  const manifest = JSON.parse(
    spawnSync('unzip', ['-p', vsix, 'extension/package.json'], { encoding: 'utf8' }).stdout || '{}',
  );
  if (!manifest.publisher || !manifest.name) throw new Error(`Unable to read the manifest of ${vsix}.`);
  return `${manifest.publisher}.${manifest.name}`.toLowerCase();
}

async function main() {
  const started = Date.now();
  const own = ownOptions(process.argv.slice(2));
  if (own.runDir) RUN_DIR = own.runDir;
  if (own.vsix && !existsSync(own.vsix)) throw new Error(`Unable to find ${own.vsix}. Run npm run package.`);
  ensureCodeServer();

  rmSync(RUN_DIR, { recursive: true, force: true });
  const dirs = {
    extensionsDir: path.join(RUN_DIR, 'extensions'),
    userDataDir: path.join(RUN_DIR, 'user-data'),
  };
  let argv = own.rest;
  if (own.vsix) {
    installExtension(own.vsix, dirs);
    const folder = installedFolder(dirs.extensionsDir, vsixId(own.vsix));
    console.log(`[host] installed ${path.basename(own.vsix)} into ${path.relative(REPO_ROOT, folder)}`);
    argv = ['--extension', folder, ...argv];
  }
  const options = readOptions(argv);
  const workspace = options.workspace ?? path.join(RUN_DIR, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const resultsFile = path.join(RUN_DIR, 'results.json');

  // Linked, not copied: the repo root holds node_modules (hundreds of MB) and VS Code follows the link.
  if (!own.vsix) installExtension(options.extension, { ...dirs, link: true });
  const runner = path.join(HOST_DIR, 'runner-extension');
  installExtension(runner, dirs);
  const job = createJob({ ...options, resultsFile, runId: `${Date.now()}` });
  const jobFile = path.join(installedLocationOf(dirs.extensionsDir, runner), 'job.json');
  writeFileSync(jobFile, JSON.stringify(job, null, 2));
  console.log(`[host] tests ${path.relative(REPO_ROOT, options.tests) || '.'}, workspace ${workspace}`);

  const server = await startCodeServer({ ...dirs, workspace, env: own.env });
  let browser;
  let results;
  try {
    browser = await launchBrowser();
    const opened = Date.now();
    const workbench = await Workbench.open(browser.page, server.url, workspace, {
      timeoutMs: options.timeoutMs,
    });
    results = await waitFor(
      () => (existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : undefined),
      options.timeoutMs,
      `${path.relative(REPO_ROOT, resultsFile)} (is the runner extension activating? see ${server.logFile})`,
    ).catch(async (error) => {
      await workbench.screenshot(`${path.basename(RUN_DIR)}-timeout`);
      copyLogs();
      throw error;
    });
    console.log(`[host] suite finished ${seconds(opened)} after opening the workbench`);
    if (results.failed || results.errors.length) {
      await workbench.screenshot(`${path.basename(RUN_DIR)}-failed`);
      copyLogs();
    }
  } finally {
    await browser?.close();
    await server.stop();
  }
  const green = printSummary(results);
  console.log(`[host] total ${seconds(started)}`);
  process.exitCode = green ? 0 : 1;
}

/** Keeps code-server's and the extension host's logs next to the screenshots for CI artefacts. */
function copyLogs() {
  const target = path.join(REPO_ROOT, 'test-results', `${path.basename(RUN_DIR)}-logs`);
  rmSync(target, { recursive: true, force: true });
  const logs = path.join(RUN_DIR, 'user-data', 'logs');
  if (existsSync(logs)) cpSync(logs, target, { recursive: true });
  const serverLog = path.join(RUN_DIR, 'user-data', 'code-server.log');
  if (existsSync(serverLog)) cpSync(serverLog, path.join(target, 'code-server.log'));
  console.log(`[host] logs copied to ${path.relative(REPO_ROOT, target)}`);
}

main().catch((error) => {
  console.error(`[host] ${error instanceof Error ? error.message : error}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
