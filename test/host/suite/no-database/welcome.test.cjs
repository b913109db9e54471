// The packaged extension in a workspace with no MergeXO in it (and a HOME without
// ~/.local/share/mergexo): it must say so through the context keys the welcome views read, never a
// zero. Then the database setting walks it through a missing file, a file that appears, and a file
// that is not a database. Started by test/host/suite/run.mjs.
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const {
  REPO_ROOT,
  api,
  extension,
  manifest,
  runInfo,
  setSetting,
  treeOf,
  waitFor,
} = require('../support.cjs');

/** The welcome contents the manifest shows in `view` under a `when` that names `condition`. */
function welcomeFor(view, condition) {
  return manifest().contributes.viewsWelcome.filter(
    (entry) => entry.view === view && entry.when.replace(/\s+/g, ' ').includes(condition),
  );
}

describe('MergeXO without a database', function () {
  let mx;
  const info = runInfo();

  before(async function () {
    mx = await api();
    await waitFor(() => mx.session.state.kind !== 'open' && mx.contextKeys.has('mergexo.state'), 'a state');
  });

  after(async function () {
    await setSetting('stateDbPath', undefined);
  });

  it('uses no CPU of its own while there is nothing to show (baseline for the idle figure)', async function () {
    this.timeout(30_000);
    const idleMs = 10_000;
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const used = process.cpuUsage(cpu);
    assert.equal(mx.session.state.kind, 'none');
    assert.equal(mx.session.counters.checks, 0, 'polls without a database');
    const ms = (used.user + used.system) / 1000;
    globalThis.hostTestNote?.(
      `idle ${idleMs / 1000} s without a database: extension host CPU ${ms.toFixed(0)} ms ` +
        `(${((ms * 60_000) / idleMs).toFixed(0)} ms per minute, all extensions)`,
    );
  });

  it('activates and registers its commands even with nothing to show', async function () {
    assert.equal(extension().isActive, true);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const { command } of manifest().contributes.commands) assert.ok(registered.has(command), command);
  });

  it('finds no database: state "none" for the welcome views, empty trees, a status bar that says so', async function () {
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
    assert.equal(
      fs.existsSync(path.join(vscode.workspace.workspaceFolders[0].uri.fsPath, 'mergexo.toml')),
      false,
    );
    assert.equal(mx.session.state.kind, 'none');
    assert.equal(mx.contextKeys.get('mergexo.state'), 'none');
    assert.equal(mx.contextKeys.get('mergexo.errorReason'), '');
    assert.equal(mx.contextKeys.get('mergexo.hasRoadmaps'), false);
    // The welcome content that this key selects, with its buttons.
    for (const view of ['mergexo.agents', 'mergexo.tracked']) {
      const [welcome] = welcomeFor(view, 'mergexo.state == none');
      assert.ok(welcome, `no welcome content for ${view} when nothing is found`);
      assert.ok(welcome.contents.includes('command:mergexo.openDatabase'), welcome.contents);
    }
    assert.deepEqual(await treeOf(mx.views.agents), []);
    assert.deepEqual(await treeOf(mx.views.tracked), []);
    // A view message would hide the welcome content.
    assert.equal(mx.views.agentsView.message, undefined);
    assert.equal(mx.statusBar.text, '$(pulse) MergeXO: no database');
    assert.doesNotMatch(mx.statusBar.text, /\b0\b/);
  });

  it('names a missing file as "missing", then opens it as soon as it appears', async function () {
    this.timeout(30_000);
    const later = path.join(info.root, 'later', 'state.db');
    await setSetting('stateDbPath', later);
    await waitFor(() => mx.contextKeys.get('mergexo.errorReason') === 'missing', 'errorReason missing');
    assert.equal(mx.contextKeys.get('mergexo.state'), 'error');
    for (const view of ['mergexo.agents', 'mergexo.tracked']) {
      assert.equal(welcomeFor(view, 'mergexo.errorReason == missing').length, 1, view);
    }
    const [agentsWelcome] = welcomeFor('mergexo.agents', 'mergexo.errorReason == missing');
    for (const command of ['mergexo.openDatabase', 'mergexo.openSettings', 'mergexo.showLog']) {
      assert.ok(agentsWelcome.contents.includes(`command:${command}`), command);
    }
    // A missing file is said to be missing, not unreadable; the tooltip names it.
    assert.equal(mx.statusBar.text, '$(warning) MergeXO: database file missing');
    assert.match(mx.statusBar.tooltip.value, /does not exist/);
    // No view message: it would hide the welcome content and its buttons. The title names the file.
    assert.deepEqual(await treeOf(mx.views.agents), []);
    assert.equal(mx.views.agentsView.message, undefined);
    assert.ok(later.endsWith((mx.views.agentsView.description ?? '').replace(/^…/, '')));
    assert.match(mx.views.agentsView.description ?? '', /state\.db$/);

    fs.mkdirSync(path.dirname(later), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'empty.db'), later);
    await waitFor(() => mx.contextKeys.get('mergexo.state') === 'open', 'the new file to open', 20_000);
    assert.equal(mx.contextKeys.get('mergexo.errorReason'), '');
    await waitFor(() => mx.statusBar.text === '$(pulse) 0 agents', 'the empty database in the status bar');
  });

  it('names a file that is not SQLite as "not-a-database"', async function () {
    const bogus = path.join(info.root, 'bogus', 'state.db');
    fs.mkdirSync(path.dirname(bogus), { recursive: true });
    fs.writeFileSync(bogus, 'this is a text file, not a database\n'.repeat(200));
    await setSetting('stateDbPath', bogus);
    await waitFor(() => mx.contextKeys.get('mergexo.errorReason') === 'not-a-database', 'not-a-database');
    assert.equal(mx.contextKeys.get('mergexo.state'), 'error');
    assert.equal(mx.statusBar.text, '$(warning) MergeXO: unreadable');
  });

  it('goes back to "none" when the setting is cleared', async function () {
    await setSetting('stateDbPath', undefined);
    await waitFor(() => mx.contextKeys.get('mergexo.state') === 'none', 'state none again');
    assert.equal(mx.statusBar.text, '$(pulse) MergeXO: no database');
  });
});
