// `npm start`: build and package the extension, then open it in VS Code on a live demo.
//
//   npm start                      demo: .cache/demo/workspace/mergexo.toml → .cache/demo/base/state.db,
//                                  seeded with 3 hours of history, then written live by tools/simulate.mjs
//   npm start -- --db PATH         a real MergeXO state.db instead (opened read-only; no simulator)
//   options: --port N (code-server, default 8080, or a free one if taken), --rate N (simulator steps
//            per second, default 1), --seed N, --no-package (use the VSIX already built),
//            --code-server (even when desktop `code` is on the PATH), --stop-after S (for scripts)
//
// Desktop VS Code when `code` is on the PATH: `code --install-extension <vsix>` and `code <workspace>`.
// Otherwise code-server (cached in .cache/code-server, see scripts/code-server.mjs) on 127.0.0.1 with the
// VSIX installed in its own extensions folder; the URL to open is printed. Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureCodeServer, installExtension, startCodeServer } from './code-server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = path.join(ROOT, '.cache', 'demo');
const SIMULATOR = path.join(ROOT, 'tools', 'simulate.mjs');

const log = (message) => console.log(`[start] ${message}`);

function options() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      port: { type: 'string', default: '8080' },
      rate: { type: 'string', default: '1' },
      seed: { type: 'string', default: '7' },
      'no-package': { type: 'boolean', default: false },
      'code-server': { type: 'boolean', default: false },
      'stop-after': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: npm start [-- --db PATH] [--port N] [--rate N] [--seed N] [--no-package] [--code-server]',
    );
    process.exit(0);
  }
  return values;
}

/** The VSIX for this machine, packaged now unless --no-package. */
async function packagedVsix(skip) {
  const { ensureVsix, vsixPath } = await import('../test/e2e/workspace/vsix.mjs');
  if (skip) return ensureVsix(vsixPath(), log);
  return ensureVsix(undefined, log);
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** `preferred` when nothing listens there, else 0 (the kernel picks a free port). */
function freePort(preferred) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(0));
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)));
  });
}

/** A workspace whose settings name `db` (a real database: no mergexo.toml needed). */
function dbWorkspace(db) {
  const file = path.resolve(db);
  if (!existsSync(file)) throw new Error(`Unable to find ${file}.`);
  if (!statSync(file).isFile()) throw new Error(`${file} is not a file.`);
  const workspace = path.join(DEMO, 'db-workspace');
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    `${JSON.stringify({ 'mergexo.stateDbPath': file }, null, 2)}\n`,
  );
  return workspace;
}

/** Runs the simulator to completion (seeding) or starts it in the background (live). */
function simulate(args, { background }) {
  const child = spawn(process.execPath, [SIMULATOR, ...args], {
    cwd: ROOT,
    stdio: background ? ['ignore', 'ignore', 'inherit'] : ['ignore', 'inherit', 'inherit'],
  });
  if (background) return child;
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(undefined) : reject(new Error(`tools/simulate.mjs exited with ${code}`)),
    );
  });
}

/** A fresh demo: 3 hours of history on a virtual clock ending now, then a live writer. */
async function demoWorkspace({ rate, seed }) {
  const baseDir = path.join(DEMO, 'base');
  const workspace = path.join(DEMO, 'workspace');
  rmSync(baseDir, { recursive: true, force: true });
  rmSync(workspace, { recursive: true, force: true });
  const hours = 3;
  const start = new Date(Date.now() - hours * 3600_000).toISOString();
  log(`seeding ${path.relative(ROOT, baseDir)}/state.db with ${hours} hours of simulated history ...`);
  await simulate(
    [
      ...['--base-dir', baseDir, '--workspace', workspace, '--clock', 'virtual'],
      ...['--seconds', String(hours * 3600), '--start', start, '--rate', '0.1', '--seed', seed],
      ...['--min-run-seconds', '120', '--quiet'],
    ],
    { background: false },
  );
  // --no-reconcile: the runs the history left open go on, as if the service had never stopped. Another
  // seed: the same one would draw the same run ids again.
  const liveSeed = String(Number(seed) + 1);
  const live = simulate(
    ['--base-dir', baseDir, '--rate', rate, '--seed', liveSeed, '--no-reconcile', '--quiet'],
    { background: true },
  );
  log(`simulator running (pid ${live.pid}, ${rate} step/s): runs start, progress, finish or fail`);
  return { workspace, simulator: live };
}

async function main() {
  const values = options();
  const vsix = await packagedVsix(values['no-package']);
  let simulator;
  const stopSimulator = () => {
    if (simulator && simulator.exitCode === null) simulator.kill('SIGTERM');
  };
  // Registered before code-server's own handlers, so the simulator is told to stop first.
  process.on('SIGINT', stopSimulator);
  process.on('SIGTERM', stopSimulator);
  process.on('exit', stopSimulator);

  let workspace;
  if (values.db) {
    workspace = dbWorkspace(values.db);
    log(`workspace ${workspace} → ${path.resolve(values.db)} (setting mergexo.stateDbPath)`);
  } else {
    ({ workspace, simulator } = await demoWorkspace(values));
    log(`workspace ${workspace} (mergexo.toml → ${path.join(DEMO, 'base', 'state.db')})`);
  }

  let server;
  if (onPath('code') && !values['code-server']) {
    log('desktop VS Code found: installing the VSIX and opening the workspace ...');
    const install = spawnSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
    if (install.status !== 0) throw new Error('code --install-extension failed.');
    spawnSync('code', ['--new-window', workspace], { stdio: 'inherit' });
    log('Opened in VS Code: click the MergeXO icon in the activity bar.');
  } else {
    ensureCodeServer();
    const dirs = {
      extensionsDir: path.join(DEMO, 'code-server', 'extensions'),
      userDataDir: path.join(DEMO, 'code-server', 'user-data'),
    };
    rmSync(path.join(DEMO, 'code-server'), { recursive: true, force: true });
    installExtension(vsix, dirs);
    const port = await freePort(Number(values.port));
    server = await startCodeServer({ ...dirs, workspace, port });
    const url = new URL(server.url);
    url.searchParams.set('folder', workspace);
    console.log(
      `\n  Open ${url.href}\n  (VS Code in the browser, with the packaged extension; click the MergeXO icon.)`,
    );
    console.log(
      `  From another machine: ssh -L ${server.port}:127.0.0.1:${server.port} <this host>, then open it there.\n`,
    );
  }
  log(simulator ? 'Ctrl-C stops the simulator and code-server.' : 'Ctrl-C stops code-server.');

  const stopAfter = values['stop-after'] ? Number(values['stop-after']) * 1000 : undefined;
  await new Promise((resolve) => {
    if (stopAfter) setTimeout(resolve, stopAfter);
    simulator?.on('exit', (code) => {
      if (code) log(`the simulator exited with ${code}`);
    });
    if (!server && !simulator) resolve(undefined); // desktop VS Code on a real database: nothing to run
  });
  stopSimulator();
  await server?.stop();
}

main().catch((error) => {
  console.error(`[start] ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
