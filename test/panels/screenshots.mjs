// End-to-end check of the two panels in a real VS Code (code-server + headless Chromium), and the
// screenshots in docs/ (metrics and timeline, dark and light).
//
//   node esbuild.mjs && node test/panels/screenshots.mjs [--no-docs]
//
// The fixture small.db was written at a pinned 2026-03-15T12:00:00Z; the extension reads the real
// clock. So a copy of it is shifted to end "now" (every ISO timestamp in every text cell moves by the
// same whole number of seconds, precision kept), and the cards are compared with the CLI run on the
// same copy with `--now` equal to the instant the panel read (shown on the page). It also checks the
// theme switch redraws the charts, that hidden panels come back with data, that no Content-Security-
// Policy violation is logged, and that a window reload restores both panels.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import {
  REPO_ROOT,
  ensureCodeServer,
  installExtension,
  seconds,
  startCodeServer,
} from '../../scripts/code-server.mjs';
import { Workbench, launchBrowser } from '../e2e/harness.mjs';

const { values } = parseArgs({ options: { 'no-docs': { type: 'boolean', default: false } } });
const FIXTURE_NOW_MS = Date.parse('2026-03-15T12:00:00.000Z');
const ISO = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z/g;
const EXTENSION_ID = 'mergexo.mergexo-observability';

function log(message) {
  console.log(`[panels-e2e] ${message}`);
}

/** Copies small.db and moves all its instants by `deltaMs` (a whole number of seconds). */
function shiftedFixture(dir, deltaMs) {
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, 'state.db');
  for (const suffix of ['', '-wal', '-shm']) {
    const source = path.join(REPO_ROOT, 'test', 'fixtures', `small.db${suffix}`);
    rmSync(target + suffix, { force: true });
    if (existsSync(source)) copyFileSync(source, target + suffix);
  }
  const shift = (text) =>
    text.replace(ISO, (_match, whole, fraction = '') => {
      const moved = new Date(Date.parse(`${whole}Z`) + deltaMs).toISOString().slice(0, 19);
      return `${moved}${fraction}Z`;
    });
  const db = new Database(target);
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all();
  db.transaction(() => {
    for (const { name } of tables) {
      const columns = db
        .prepare(`SELECT name FROM pragma_table_info(?)`)
        .all(name)
        .map((c) => c.name);
      const rows = db.prepare(`SELECT rowid AS _rowid, * FROM "${name}"`).all();
      for (const row of rows) {
        for (const column of columns) {
          const value = row[column];
          if (typeof value !== 'string' || !ISO.test(value)) continue;
          ISO.lastIndex = 0;
          db.prepare(`UPDATE "${name}" SET "${column}" = ? WHERE rowid = ?`).run(shift(value), row._rowid);
        }
      }
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return target;
}

function cli(args) {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args, '--json'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`CLI failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function formatSeconds(seconds) {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.floor(seconds);
  const pad = (n) => String(n).padStart(2, '0');
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes}m ${pad(s % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}

/** Runs a palette command that asks with a quick pick, and picks the row showing `choice`. */
async function commandWithPick(page, command, choice) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await page.keyboard.press('F1');
  await input.fill(`>${command}`);
  await rows.filter({ hasText: command }).first().click();
  await input.fill(choice);
  await rows.filter({ hasText: choice }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Picks a colour theme the way a person does (a changed settings file is not re-read here). */
async function setTheme(page, theme, bodyClass) {
  await commandWithPick(page, 'Preferences: Color Theme', theme);
  await page.waitForFunction(
    (cls) => document.querySelector('.monaco-workbench')?.classList.contains(cls),
    bodyClass,
    {
      timeout: 30_000,
    },
  );
}

/**
 * In a remote window (code-server is one) VS Code applies machine-scoped settings such as
 * mergexo.stateDbPath only from the remote's Machine settings, not from User settings.
 */
function writeMachineSettings(userDataDir, settings) {
  const dir = path.join(userDataDir, 'Machine');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

async function shot(page, name) {
  const dir = values['no-docs'] ? path.join(REPO_ROOT, 'test-results') : path.join(REPO_ROOT, 'docs');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  log(`saved ${path.relative(REPO_ROOT, file)}`);
}

/** The inner frame of the webview panel whose page shows `text`. */
async function panelFrame(workbench, text, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await workbench.page.locator('iframe.webview.ready').count();
    for (let index = 0; index < count; index += 1) {
      const frame = workbench.webviewFrame({ extensionId: EXTENSION_ID, index });
      const found = await frame
        .getByText(text)
        .first()
        .isVisible()
        .catch(() => false);
      if (found) return frame;
    }
    if (Date.now() > deadline) throw new Error(`No visible panel shows "${text}".`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function checkMetricsAgainstCli(frame, dbPath) {
  const asOf = await frame.locator('.as-of').getAttribute('title');
  assert.ok(asOf, 'the page shows the instant it was read at');
  const overview = cli(['overview', '--db', dbPath, '--now', asOf, '--window', '24h']);
  const metrics = cli(['metrics', '--db', dbPath, '--now', asOf, '--window', '24h']);
  const card = async (label) =>
    (
      await frame.getByRole('group', { name: label, exact: true }).locator('.card-value').textContent()
    ).trim();
  const expected = {
    'Active agents': String(overview.active_agents),
    Blocked: String(overview.blocked_prs),
    Tracked: String(overview.tracked_prs),
    'Failures (any run kind)': String(overview.failures),
    'Terminal runs': String(metrics.overall.terminal_count),
    'Failure rate': `${(metrics.overall.failure_rate * 100).toFixed(1)}%`,
    'Mean runtime': formatSeconds(metrics.overall.mean_runtime_seconds),
    'Std-dev runtime': formatSeconds(metrics.overall.stddev_runtime_seconds),
  };
  for (const [label, value] of Object.entries(expected)) assert.equal(await card(label), value, label);
  log(`cards equal the CLI at ${asOf}: ${JSON.stringify(expected)}`);
}

async function chartSignature(frame) {
  // The axis colour uPlot drew with comes from --vscode-charts-foreground at draw time.
  return frame.locator('body').evaluate(() => ({
    theme: document.body.className,
    foreground: getComputedStyle(document.body).getPropertyValue('--vscode-charts-foreground').trim(),
    canvases: document.querySelectorAll('.chart canvas').length,
    pixel: (() => {
      const canvas = document.querySelector('.chart canvas');
      const context = canvas?.getContext('2d');
      if (!context) return null;
      // A spot on the y axis labels' column: axis text is drawn in the theme's foreground.
      const data = context.getImageData(0, 0, Math.min(60, canvas.width), canvas.height).data;
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += data[i] + data[i + 1] + data[i + 2];
      return sum;
    })(),
  }));
}

async function main() {
  const started = Date.now();
  const root = path.join(REPO_ROOT, '.cache', 'panels-e2e');
  rmSync(root, { recursive: true, force: true });
  const nowMs = Math.floor(Date.now() / 1000) * 1000;
  const dbPath = shiftedFixture(path.join(root, 'mergexo'), nowMs - FIXTURE_NOW_MS);
  const workspace = path.join(root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const dirs = { extensionsDir: path.join(root, 'extensions'), userDataDir: path.join(root, 'user-data') };
  const settings = {
    'mergexo.metricsWindow': '24h',
    'workbench.colorTheme': 'Default Dark Modern',
    'window.restoreWindows': 'all',
  };
  ensureCodeServer();
  installExtension(REPO_ROOT, { ...dirs, link: true });
  writeMachineSettings(dirs.userDataDir, { 'mergexo.stateDbPath': dbPath });
  const server = await startCodeServer({ ...dirs, workspace, settings });
  const browser = await launchBrowser({ viewport: { width: 1440, height: 1000 } });
  const failures = [];
  const check = async (name, body) => {
    try {
      await body();
      log(`✔ ${name}`);
    } catch (error) {
      failures.push(name);
      log(`✖ ${name}: ${error instanceof Error ? error.message : error}`);
      await browser.page.screenshot({
        path: path.join(REPO_ROOT, 'test-results', `panels-failed-${failures.length}.png`),
      });
    }
  };
  try {
    const workbench = await Workbench.open(browser.page, server.url, workspace);
    const { page } = workbench;
    await workbench.statusBarItem('mergexo.status', { timeoutMs: 60_000 }).catch(() => undefined);
    // More room for the panels in the screenshots.
    await workbench.runCommand('View: Close Primary Side Bar');

    let metrics;
    await check('metrics panel opens with the CLI’s numbers', async () => {
      await workbench.runCommand('MergeXO: Show Metrics', { timeoutMs: 60_000 });
      metrics = await panelFrame(workbench, 'Per repository');
      await metrics.locator('.chart canvas').first().waitFor({ timeout: 30_000 });
      await checkMetricsAgainstCli(metrics, dbPath);
    });
    await check('vscode-elements render under the CSP', async () => {
      const radio = await metrics
        .locator('vscode-radio')
        .first()
        .evaluate((el) => ({
          shadow: Boolean(el.shadowRoot?.childElementCount),
          adopted: el.shadowRoot?.adoptedStyleSheets?.length ?? 0,
        }));
      assert.ok(radio.shadow && radio.adopted > 0, JSON.stringify(radio));
    });
    await check('window selector changes the window', async () => {
      await metrics.locator('vscode-radio[data-window="7d"]').click();
      await metrics.getByRole('heading', { name: 'In the last 7 days' }).waitFor({ timeout: 15_000 });
      await metrics.locator('vscode-radio[data-window="24h"]').click();
      await metrics.getByRole('heading', { name: 'In the last 24 hours' }).waitFor({ timeout: 15_000 });
      await metrics.locator('.chart canvas').first().waitFor({ timeout: 15_000 });
    });
    const darkChart = metrics ? await chartSignature(metrics) : null;
    await shot(page, 'metrics-dark');

    let timeline;
    await check('issue history opens from the palette quick pick', async () => {
      await commandWithPick(page, 'MergeXO: Show Issue History…', '#104');
      timeline = await panelFrame(workbench, 'Issue #104');
      await timeline.locator('ol.timeline > li').first().waitFor();
      const kinds = await timeline
        .locator('ol.timeline > li')
        .evaluateAll((items) => items.map((li) => li.className));
      assert.ok(kinds.length >= 4, JSON.stringify(kinds));
      await timeline.getByRole('button', { name: 'Show more' }).count();
    });
    await shot(page, 'timeline-dark');

    await check('theme switch re-reads colours (charts redrawn)', async () => {
      await setTheme(page, 'Light Modern', 'vs');
      await shot(page, 'timeline-light');
      await workbench.runCommand('MergeXO: Show Metrics');
      metrics = await panelFrame(workbench, 'Per repository');
      await metrics.locator('.chart canvas').first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(500);
      const lightChart = await chartSignature(metrics);
      log(`chart colours dark ${JSON.stringify(darkChart)} → light ${JSON.stringify(lightChart)}`);
      assert.notEqual(lightChart.foreground, darkChart?.foreground);
      assert.notEqual(lightChart.pixel, darkChart?.pixel);
      await checkMetricsAgainstCli(metrics, dbPath);
      await shot(page, 'metrics-light');
    });

    await check('a live theme change redraws a visible chart', async () => {
      const before = await chartSignature(metrics);
      await setTheme(page, 'Dark Modern', 'vs-dark');
      await metrics.locator('body.vscode-dark').waitFor({ timeout: 15_000 });
      await page.waitForTimeout(500);
      const after = await chartSignature(metrics);
      assert.notEqual(after.pixel, before.pixel);
    });

    await check('high-contrast themes (screenshots in test-results/ for review)', async () => {
      for (const [theme, workbenchClass, pageClass] of [
        ['Dark High Contrast', 'hc-black', 'vscode-high-contrast'],
        ['Light High Contrast', 'hc-light', 'vscode-high-contrast-light'],
      ]) {
        await setTheme(page, theme, workbenchClass);
        await metrics.locator(`body.${pageClass}`).waitFor({ timeout: 15_000 });
        await page.waitForTimeout(500);
        await page.screenshot({
          path: path.join(REPO_ROOT, 'test-results', `metrics-${workbenchClass}.png`),
        });
      }
      await setTheme(page, 'Dark Modern', 'vs-dark');
    });

    await check('panels are restored after a window reload', async () => {
      await page.reload();
      // (waitForReady also wants the explorer, which is closed here.)
      await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 90_000 });
      await panelFrame(workbench, 'Per repository', 90_000);
      const titles = await page.locator('.tabs-container .tab .label-name').allTextContents();
      assert.ok(
        titles.some((title) => title.includes('Issue #104')),
        JSON.stringify(titles),
      );
    });

    const errorsBeforeProbe = workbench.errors.length;
    await check('the CSP is enforced: an injected inline style is refused and reported', async () => {
      const frame = await panelFrame(workbench, 'Per repository');
      const violation = await frame.locator('body').evaluate(
        () =>
          new Promise((resolve) => {
            document.addEventListener(
              'securitypolicyviolation',
              (event) => resolve(event.violatedDirective),
              {
                once: true,
              },
            );
            document.body.insertAdjacentHTML('beforeend', '<p id="csp-probe" style="color: red">probe</p>');
            setTimeout(() => resolve('none'), 3000);
          }),
      );
      assert.match(String(violation), /^style-src/);
      await page.waitForTimeout(500);
      assert.ok(
        workbench.errors.some((line) => /Content Security Policy/i.test(line)),
        'the console capture sees CSP violations, so an empty list below means none happened',
      );
      await frame.locator('#csp-probe').evaluate((el) => el.remove());
    });

    // Everything before the probe: the pages themselves never trip the policy.
    const beforeProbe = workbench.errors.slice(0, errorsBeforeProbe);
    const cspErrors = beforeProbe.filter((line) => /Content Security Policy|Refused to/i.test(line));
    await check('no Content-Security-Policy violation was logged', async () => {
      assert.deepEqual(cspErrors, []);
    });
    if (workbench.errors.length) log(`browser errors:\n  ${workbench.errors.slice(-15).join('\n  ')}`);
  } finally {
    await browser.close();
    await server.stop();
  }
  log(`total ${seconds(started)}; ${failures.length} failed`);
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
