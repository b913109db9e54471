// Drives a real VS Code workbench (code-server) in headless Chromium through playwright-core.
// Everything waits on selectors, never on fixed sleeps. The selectors are VS Code's own DOM and
// may move between VS Code releases; each one is named once here so a change is fixed in one place.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  REPO_ROOT,
  ensureChromium,
  ensureCodeServer,
  installExtension,
  seconds,
  startCodeServer,
} from '../../scripts/code-server.mjs';

export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const SELECTORS = {
  workbench: '.monaco-workbench',
  statusBar: '.monaco-workbench .part.statusbar',
  statusBarItem: '.part.statusbar .statusbar-item',
  activityBarAction: '.part.activitybar .action-item a.action-label',
  // The explorer's view body: present once the side bar has laid out its default container.
  explorerView: '.part.sidebar .explorer-folders-view',
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRow: '.quick-input-widget .quick-input-list .monaco-list-row',
  pane: ':is(.part.sidebar, .part.panel, .part.auxiliarybar) .pane',
  paneTitle: '.pane-header h3.title',
  treeRow: '.monaco-list-row[role="treeitem"]',
  // Webviews: an outer iframe (class "webview", gains "ready" once loaded) hosts an inner
  // iframe#active-frame holding the extension's HTML.
  webviewOuter: 'iframe.webview.ready',
  webviewInner: 'iframe#active-frame',
  notificationToast: '.notifications-toasts .notification-toast',
};

function log(message) {
  console.log(`[e2e] ${message}`);
}

/** Starts Chromium with a fresh profile. Close it with `browser.close()`. */
export async function launchBrowser({ headless = true, viewport = { width: 1400, height: 900 } } = {}) {
  const started = Date.now();
  const executablePath = ensureChromium();
  mkdirSync(path.join(REPO_ROOT, '.cache'), { recursive: true });
  const profile = mkdtempSync(path.join(REPO_ROOT, '.cache', 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless,
    viewport,
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  log(`Chromium started in ${seconds(started)}`);
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export class Workbench {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
    /** Browser console errors and uncaught page errors, for diagnosis when a test fails. */
    this.errors = [];
    page.on('pageerror', (error) => this.errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(`console: ${message.text()}`);
    });
  }

  /**
   * Opens `folder` in the workbench served at `url` and waits until it is usable (see waitForReady).
   * On failure it saves test-results/workbench-not-ready.png.
   */
  static async open(page, url, folder, { timeoutMs = 90_000 } = {}) {
    const workbench = new Workbench(page);
    const started = Date.now();
    const target = new URL(url);
    if (folder) target.searchParams.set('folder', path.resolve(folder));
    try {
      await page.goto(target.href, { timeout: timeoutMs });
      await workbench.waitForReady({ folder, timeoutMs });
    } catch (error) {
      await workbench.screenshot('workbench-not-ready').catch(() => undefined);
      throw error;
    }
    log(`workbench ready in ${seconds(started)}`);
    return workbench;
  }

  /**
   * Ready means: the workbench DOM with its status bar and activity bar, the explorer view, and (with a
   * folder) the window title naming that folder, which needs the server's answer about the workspace.
   * Extensions activate later (in the remote extension host, seconds after this on a 2-core machine):
   * wait for what the extension contributes, e.g. statusBarItem() or treeRows().
   */
  async waitForReady({ folder, timeoutMs = 90_000 } = {}) {
    const { page } = this;
    await page.waitForSelector(SELECTORS.statusBar, { timeout: timeoutMs });
    await page.waitForSelector(SELECTORS.activityBarAction, { timeout: timeoutMs });
    await page.waitForSelector(SELECTORS.explorerView, { state: 'attached', timeout: timeoutMs });
    if (folder) {
      const name = path.basename(path.resolve(folder));
      await page.waitForFunction((text) => document.title.includes(text), name, { timeout: timeoutMs });
    }
  }

  /**
   * Runs a command by its palette title, for example 'MergeXO Sample: Open Panel'. An open palette does
   * not pick up commands contributed after it opened (the extension host may still be starting), so a
   * missing entry closes the palette and tries again until `timeoutMs`.
   */
  async runCommand(title, { timeoutMs = 30_000 } = {}) {
    const { page } = this;
    const deadline = Date.now() + timeoutMs;
    const row = page
      .locator(SELECTORS.quickInputRow)
      .filter({ has: page.locator('.label-name', { hasText: exactText(title) }) })
      .first();
    for (;;) {
      await page.keyboard.press('F1');
      const input = page.locator(SELECTORS.quickInputBox);
      await input.waitFor({ state: 'visible', timeout: Math.max(deadline - Date.now(), 1) });
      await input.fill(`>${title}`);
      try {
        await row.waitFor({ state: 'visible', timeout: Math.min(5_000, Math.max(deadline - Date.now(), 1)) });
        break;
      } catch (error) {
        await page.keyboard.press('Escape');
        if (Date.now() >= deadline)
          throw new Error(`No command titled "${title}" in the palette.`, { cause: error });
      }
    }
    await row.click();
    await page.locator(SELECTORS.quickInput).waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  /** Shows the activity-bar view container whose title is `title` (no-op if already shown). */
  async openViewContainer(title, { timeoutMs = 30_000 } = {}) {
    const { page } = this;
    const quoted = JSON.stringify(title);
    const action = page
      .locator(
        `${SELECTORS.activityBarAction}[aria-label=${quoted}], ` +
          `${SELECTORS.activityBarAction}[aria-label^=${JSON.stringify(`${title} (`)}]`,
      )
      .first();
    await action.waitFor({ state: 'visible', timeout: timeoutMs });
    // Clicking the container that is already shown would hide the side bar.
    const item = action.locator('xpath=..');
    if ((await item.getAttribute('aria-selected')) !== 'true') await action.click();
    await page.waitForFunction(
      (el) => el?.getAttribute('aria-selected') === 'true',
      await item.elementHandle(),
      { timeout: timeoutMs },
    );
  }

  /** The side-bar pane of the view named `viewName` (its header title, as in the manifest). */
  viewPane(viewName) {
    const { page } = this;
    return page
      .locator(SELECTORS.pane)
      .filter({ has: page.locator(SELECTORS.paneTitle, { hasText: exactText(viewName) }) })
      .first();
  }

  /**
   * Rows a tree view shows, after waiting for at least `minRows`. Trees are virtualised: only rows
   * scrolled into view are in the DOM.
   */
  async treeRows(viewName, { minRows = 1, timeoutMs = 30_000 } = {}) {
    const pane = this.viewPane(viewName);
    await pane.waitFor({ state: 'attached', timeout: timeoutMs });
    const header = pane.locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    if (minRows > 0) {
      await pane
        .locator(SELECTORS.treeRow)
        .nth(minRows - 1)
        .waitFor({ timeout: timeoutMs });
    }
    return pane.locator(SELECTORS.treeRow).evaluateAll((rows) =>
      rows.map((row) => ({
        label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
        description: row.querySelector('.label-description')?.textContent?.trim() ?? '',
        ariaLabel: row.getAttribute('aria-label') ?? '',
        level: Number(row.getAttribute('aria-level') ?? '1'),
        expanded: row.getAttribute('aria-expanded'),
      })),
    );
  }

  /** Clicks the row labelled `label` in the view `viewName` (selects it, or runs its command). */
  async clickTreeRow(viewName, label, { timeoutMs = 30_000 } = {}) {
    const { page } = this;
    const row = this.viewPane(viewName)
      .locator(SELECTORS.treeRow)
      .filter({ has: page.locator('.label-name', { hasText: exactText(label) }) })
      .first();
    await row.click({ timeout: timeoutMs });
  }

  /**
   * Status-bar items. `text` is rebuilt the way an extension writes it, icons as `$(name)`, so a test
   * can compare with `'$(pulse) 3 agents'`. `id` is `<extension id>.<item id>` for extension items.
   */
  async statusBarItems() {
    return this.page.locator(SELECTORS.statusBarItem).evaluateAll((items) =>
      items.map((item) => {
        const label = item.querySelector('.statusbar-item-label');
        const parts = [];
        for (const node of label?.childNodes ?? []) {
          if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent);
          const icon = [...(node.classList ?? [])].find((c) => c.startsWith('codicon-'));
          if (icon) parts.push(`$(${icon.slice('codicon-'.length)})`);
        }
        return { id: item.id, text: parts.join('').trim(), ariaLabel: item.getAttribute('aria-label') ?? '' };
      }),
    );
  }

  /** Waits for the status-bar item whose id ends with `idSuffix` and returns it. */
  async statusBarItem(idSuffix, { timeoutMs = 30_000 } = {}) {
    const selector = `${SELECTORS.statusBarItem}[id$=${JSON.stringify(idSuffix)}]`;
    await this.page.waitForSelector(selector, { timeout: timeoutMs });
    const items = await this.statusBarItems();
    return items.find((item) => item.id.endsWith(idSuffix));
  }

  /**
   * The inner frame of a webview (panel or view). The outer iframe's src carries `extensionId=<id>`,
   * which narrows the choice; hidden webviews keep their iframes, so with several pick one by `index`
   * (0 = first in the DOM).
   */
  webviewFrame({ extensionId, index = 0 } = {}) {
    const outer = extensionId
      ? `${SELECTORS.webviewOuter}[src*=${JSON.stringify(`extensionId=${extensionId}&`)}]`
      : SELECTORS.webviewOuter;
    return this.page.frameLocator(`${outer} >> nth=${index}`).frameLocator(SELECTORS.webviewInner);
  }

  /** Waits until the webview's body shows `expected` (string or RegExp) or any text; returns the text. */
  async webviewText({ extensionId, index = 0, expected, timeoutMs = 30_000 } = {}) {
    const body = this.webviewFrame({ extensionId, index }).locator('body');
    await body.waitFor({ state: 'attached', timeout: timeoutMs });
    if (expected) await body.getByText(expected).first().waitFor({ timeout: timeoutMs });
    else await body.locator(':scope *').first().waitFor({ timeout: timeoutMs });
    return (await body.innerText()).trim();
  }

  /** Messages of the notification toasts on screen (for example an extension's error message). */
  async notificationTexts() {
    return this.page
      .locator(`${SELECTORS.notificationToast} .notification-list-item-message`)
      .allTextContents();
  }

  /** Saves a full-window PNG to test-results/<name>.png and returns its path. */
  async screenshot(name) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `${name}.png`);
    await this.page.screenshot({ path: file });
    log(`screenshot ${path.relative(REPO_ROOT, file)}`);
    return file;
  }
}

function exactText(text) {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/**
 * One call for a test script: fresh extensions and user-data folders under `.cache/<runName>/`, the
 * given extension folders (or .vsix files) installed, code-server started, Chromium on the workspace.
 * Returns `{ workbench, page, server, dirs, close() }`.
 */
export async function startWorkbench({
  extensions,
  workspace,
  runName = 'e2e-run',
  env = {},
  settings = {},
  timeoutMs = 90_000,
}) {
  ensureCodeServer();
  const root = path.join(REPO_ROOT, '.cache', runName);
  rmSync(root, { recursive: true, force: true });
  const dirs = {
    root,
    extensionsDir: path.join(root, 'extensions'),
    userDataDir: path.join(root, 'user-data'),
  };
  for (const extension of extensions) installExtension(extension, dirs);
  const server = await startCodeServer({ ...dirs, workspace, env, settings, timeoutMs });
  let browser;
  try {
    browser = await launchBrowser();
    const workbench = await Workbench.open(browser.page, server.url, workspace, { timeoutMs });
    return {
      workbench,
      page: browser.page,
      server,
      dirs,
      async close() {
        await browser.close();
        await server.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.stop();
    throw error;
  }
}
