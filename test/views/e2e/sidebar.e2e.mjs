// End-to-end look at the sidebar in a real VS Code (code-server + headless Chromium): a live
// database written by the MergeXO writer imitation, the trees and the status bar as a person sees
// them, a run added while watching (time until it shows), and the "not running" warning after the
// lock owner dies. Screenshots go to test-results/.
//
//   node esbuild.mjs && node test/views/e2e/sidebar.e2e.mjs
//
// Ends with `N passed, N failed`; exits non-zero on a failure.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, seconds } from '../../../scripts/code-server.mjs';
import { MergexoWriter, createMergexoDb } from '../../../tools/mergexo-writer.mjs';
import { startWorkbench } from '../../e2e/harness.mjs';

const work = path.join(REPO_ROOT, '.cache', 'e2e-sidebar');
const stage = path.join(work, 'extension');
const baseDir = path.join(work, 'mergexo-base');
const workspace = path.join(work, 'workspace');
const MIN = 60_000;

/** The extension as it would be installed: manifest, bundle, icons, the native driver. */
function stageExtension() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const entry of ['package.json', 'dist', 'media']) {
    cpSync(path.join(REPO_ROOT, entry), path.join(stage, entry), { recursive: true });
  }
  cpSync(
    path.join(REPO_ROOT, 'node_modules', 'better-sqlite3'),
    path.join(stage, 'node_modules', 'better-sqlite3'),
    { recursive: true },
  );
}

/** A small live scene at the real clock, so elapsed times and ages read naturally. */
function writeScene(writer) {
  const now = Date.now();
  const ago = (minutes) => new Date(now - minutes * MIN);
  const first = writer.startRun({
    repo: 'acme/widgets',
    issue: 101,
    flow: 'design_doc',
    branch: 'agent/design/101-oauth-login',
    startedAt: ago(12),
    prompt: 'Write a design doc for issue #101: Add OAuth login.',
  });
  writer.progress(first, ago(1));
  const second = writer.startRun({
    repo: 'acme/gadgets',
    issue: 202,
    flow: 'implementation',
    branch: 'agent/impl/202-plugin-api',
    startedAt: ago(25),
  });
  writer.progress(second, ago(19)); // quiet for 19 minutes: stalled
  writer.startRun({
    repo: 'octo/docs',
    issue: 303,
    flow: 'bugfix',
    branch: 'agent/bugfix/303-typo',
    startedAt: ago(3),
  });
  writer.trackPr({
    repo: 'acme/widgets',
    issue: 102,
    prNumber: 1102,
    branch: 'agent/design/102-cache',
    at: ago(90),
  });
  writer.addFeedbackEvent({ repo: 'acme/widgets', pr: 1102, issue: 102, commentId: 9001, at: ago(30) });
  writer.trackPr({
    repo: 'acme/gadgets',
    issue: 205,
    prNumber: 2205,
    branch: 'agent/small/205-push',
    at: ago(200),
  });
  writer.transitionPr({
    repo: 'acme/gadgets',
    pr: 2205,
    issue: 205,
    to: 'blocked',
    reason: 'agent_failed',
    detail: 'RuntimeError: git push rejected (non-fast-forward)',
    at: ago(61),
  });
  writer.awaitFollowup({
    repo: 'acme/widgets',
    issue: 106,
    flow: 'bugfix',
    branch: 'agent/bugfix/106-crash',
    waitingReason: 'Need reproduction steps from the reporter',
    at: ago(45),
  });
  const failed = writer.startRun({ repo: 'acme/widgets', issue: 105, flow: 'small_job', startedAt: ago(80) });
  writer.finishRun(failed, {
    status: 'failed',
    failureClass: 'agent_error',
    error: 'Agent exited',
    finishedAt: ago(40),
  });
  writer.markIssue({
    repo: 'octo/docs',
    issue: 301,
    status: 'merged',
    prNumber: 3301,
    branch: 'agent/ref/301',
    at: ago(120),
  });
}

const checks = [
  [
    'status bar counts the agents and the blocked work',
    async ({ workbench }) => {
      const item = await workbench.statusBarItem('mergexo.status');
      assert.equal(item?.text, '$(pulse) 3 agents (1 stalled)  $(warning) 2 blocked');
    },
  ],
  [
    'Active Agents lists the runs by repository, longest running first',
    async ({ workbench }) => {
      await workbench.openViewContainer('MergeXO');
      const rows = await workbench.treeRows('Active Agents', { minRows: 6 });
      assert.deepEqual(
        rows.map((row) => row.label),
        [
          'acme/gadgets',
          '#202 implementation',
          'acme/widgets',
          '#101 design_doc',
          'octo/docs',
          '#303 bugfix',
        ],
      );
      assert.match(rows[1].description, /^2[56]m \d\ds · agent\/impl\/202-plugin-api$/);
    },
  ],
  [
    'Tracked & Blocked shows the groups with reasons and pending counts',
    async ({ workbench }) => {
      const rows = await workbench.treeRows('Tracked & Blocked', { minRows: 4 });
      const labels = rows.map((row) => row.label);
      assert.ok(labels.includes('Blocked (2)'), labels.join(', '));
      assert.ok(labels.includes('Tracked (1)'), labels.join(', '));
      const blocked = rows.find((row) => row.label === 'PR #2205');
      assert.match(blocked?.description ?? '', /git push rejected .* · 0 pending/);
      const tracked = rows.find((row) => row.label === 'PR #1102');
      assert.match(tracked?.description ?? '', /1 pending/);
      await workbench.screenshot('sidebar');
    },
  ],
  [
    'Recent Outcomes lists failed runs and merges newest first',
    async ({ workbench }) => {
      const rows = await workbench.treeRows('Recent Outcomes', { minRows: 2 });
      assert.deepEqual(
        rows.map((row) => row.label),
        ['#105 failed', '#301 merged'],
      );
      assert.match(rows[0].description, /^small_job · agent_error · 40m \d\ds ago · acme\/widgets$/);
    },
  ],
  [
    'a run added by the writer appears within 2 s and the count changes',
    async ({ workbench, writer }) => {
      const started = Date.now();
      writer.startRun({ repo: 'octo/docs', issue: 304, flow: 'small_job', branch: 'agent/small/304-live' });
      await workbench.page.waitForFunction(
        () =>
          [...document.querySelectorAll('.statusbar-item')].some((el) =>
            /4 agents/.test(el.textContent ?? ''),
          ),
        undefined,
        { timeout: 10_000 },
      );
      const statusMs = Date.now() - started;
      const rows = await workbench.treeRows('Active Agents', { minRows: 7 });
      const treeMs = Date.now() - started;
      assert.ok(
        rows.some((row) => row.label === '#304 small_job'),
        rows.map((row) => row.label).join(', '),
      );
      console.log(`     status bar after ${statusMs} ms, tree after ${treeMs} ms`);
      assert.ok(treeMs < 2000, `took ${treeMs} ms`);
    },
  ],
  [
    'killing the lock owner shows "MergeXO is not running"',
    async ({ workbench, owner }) => {
      owner.kill('SIGKILL');
      const rows = await waitForRow(workbench, 'Active Agents', 'MergeXO is not running');
      assert.match(
        rows.find((row) => row.label === 'MergeXO is not running').description,
        /4 runs shown as active/,
      );
      const item = await workbench.statusBarItem('mergexo.status');
      const warning = await workbench.page
        .locator('.statusbar-item[id$="mergexo.status"]')
        .evaluate((el) => el.classList.contains('warning-kind') || getComputedStyle(el).backgroundColor);
      console.log(`     status bar: ${item?.text} (${warning})`);
      await workbench.screenshot('sidebar-not-running');
    },
  ],
];

/** A second window on a workspace whose config points at a text file named state.db. */
async function checkUnreadable() {
  const badBase = path.join(work, 'bad-base');
  const badWorkspace = path.join(work, 'bad-workspace');
  mkdirSync(badBase, { recursive: true });
  mkdirSync(badWorkspace, { recursive: true });
  writeFileSync(path.join(badBase, 'state.db'), 'this is a text file, not a database\n');
  writeFileSync(path.join(badWorkspace, 'mergexo.toml'), `[runtime]\nbase_dir = "${badBase}"\n`);
  const session = await startWorkbench({
    extensions: [stage],
    workspace: badWorkspace,
    runName: 'e2e-sidebar-bad',
  });
  try {
    const { workbench } = session;
    const item = await workbench.statusBarItem('mergexo.status');
    assert.equal(item?.text, '$(warning) MergeXO: unreadable');
    await workbench.openViewContainer('MergeXO');
    // Every view shows its welcome with buttons (a view message would hide it); Active Agents' title
    // names the file, the status bar tooltip gives the full reason.
    const agents = workbench.viewPane('Active Agents');
    await agents
      .getByText(/The file is not a MergeXO database/)
      .first()
      .waitFor({ timeout: 15_000 });
    for (const name of ['Open Database File…', 'Open Settings', 'Show Log']) {
      await agents.getByRole('button', { name }).waitFor({ timeout: 15_000 });
    }
    const tracked = workbench.viewPane('Tracked & Blocked');
    await tracked
      .getByText(/The file is not a MergeXO database/)
      .first()
      .waitFor({ timeout: 15_000 });
    await tracked.getByRole('button', { name: 'Select Database…' }).waitFor({ timeout: 15_000 });
    await workbench.screenshot('sidebar-unreadable');
  } finally {
    await session.close();
  }
}

async function waitForRow(workbench, view, label, timeoutMs = 15_000) {
  const started = Date.now();
  for (;;) {
    const rows = await workbench.treeRows(view, { minRows: 1 });
    if (rows.some((row) => row.label === label)) return rows;
    if (Date.now() - started > timeoutMs)
      throw new Error(`no "${label}" in ${view}: ${rows.map((r) => r.label)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main() {
  const started = Date.now();
  stageExtension();
  mkdirSync(workspace, { recursive: true });
  writeFileSync(path.join(workspace, 'mergexo.toml'), `[runtime]\nbase_dir = "${baseDir}"\n`);
  const dbPath = path.join(baseDir, 'state.db');
  mkdirSync(baseDir, { recursive: true });
  createMergexoDb(dbPath).close();
  const writer = new MergexoWriter(dbPath);
  writeScene(writer);
  // A stand-in for the MergeXO service process: it holds writer.lock until killed.
  const owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  writeFileSync(
    path.join(baseDir, 'writer.lock'),
    `${JSON.stringify({ command: 'service', pid: owner.pid, started_at: new Date().toISOString() })}\n`,
  );

  const session = await startWorkbench({ extensions: [stage], workspace, runName: 'e2e-sidebar-run' });
  let passed = 0;
  let failed = 0;
  try {
    for (const [name, check] of checks) {
      const checkStarted = Date.now();
      try {
        await check({ ...session, writer, owner });
        passed += 1;
        console.log(`  ✔ ${name} (${seconds(checkStarted)})`);
      } catch (error) {
        failed += 1;
        console.log(`  ✖ ${name}\n     ${error instanceof Error ? error.message : error}`);
        await session.workbench.screenshot(`sidebar-failed-${failed}`);
      }
    }
    if (failed > 0) console.log(`browser errors:\n  ${session.workbench.errors.slice(-10).join('\n  ')}`);
  } finally {
    owner.kill('SIGKILL');
    writer.close();
    await session.close();
  }
  const badStarted = Date.now();
  try {
    await checkUnreadable();
    passed += 1;
    console.log(`  ✔ an unreadable file shows the welcome and the reason (${seconds(badStarted)})`);
  } catch (error) {
    failed += 1;
    console.log(
      `  ✖ an unreadable file shows the welcome and the reason\n     ${error instanceof Error ? error.message : error}`.slice(
        0,
        2000,
      ),
    );
  }
  console.log(`[e2e] total ${seconds(started)}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(`[e2e] ${error instanceof Error ? error.stack : error}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
