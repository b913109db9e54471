// Takes docs/sidebar.png: the packaged extension in a real VS Code (code-server + headless Chromium) on
// a workspace whose mergexo.toml points at a re-dated copy of test/fixtures/small.db, with writer.lock
// held by this process as a running MergeXO holds it. The side bar is widened so that descriptions
// (elapsed time, reason, pending events) are readable, and the tooltip of the first blocked row is open.
//
//   node test/e2e/docs-sidebar.mjs [--vsix <file>] [--out docs/sidebar.png]
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { acquireLock, releaseLock } from '../../tools/mergexo-writer.mjs';
import { startWorkbench } from './harness.mjs';
import { REPO_ROOT, buildFixtureWorkspace } from './workspace/build.mjs';
import { ensureVsix } from './workspace/vsix.mjs';

const { values } = parseArgs({
  options: { vsix: { type: 'string' }, out: { type: 'string', default: 'docs/sidebar.png' } },
});
const vsix = ensureVsix(values.vsix, (line) => console.log(`[docs] ${line}`));
const workspace = buildFixtureWorkspace({ root: path.join(REPO_ROOT, '.cache', 'docs-sidebar', 'fixture') });
acquireLock(workspace.baseDir);
try {
  const session = await startWorkbench({
    extensions: [vsix],
    workspace: workspace.workspace,
    runName: path.join('docs-sidebar', 'run'),
  });
  try {
    const { workbench, page } = session;
    await workbench.openViewContainer('MergeXO');
    await workbench.statusBarItem('mergexo.status');
    // Widen the side bar by dragging the sash on its right edge.
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const x = sidebar.x + sidebar.width;
      const y = sidebar.y + sidebar.height / 2;
      await page.mouse.move(x + 1, y);
      await page.mouse.down();
      await page.mouse.move(x + 260, y, { steps: 8 });
      await page.mouse.up();
    }
    await workbench.treeRows('Active Agents', { minRows: 4 });
    await workbench.treeRows('Tracked & Blocked', { minRows: 8 });
    await workbench.viewPane('Tracked & Blocked').locator('.monaco-list-row[role="treeitem"]').nth(2).hover();
    await page.locator('.monaco-hover').first().waitFor({ timeout: 10_000 });
    const shot = await workbench.screenshot('docs-sidebar');
    const out = path.resolve(REPO_ROOT, values.out);
    mkdirSync(path.dirname(out), { recursive: true });
    copyFileSync(shot, out);
    console.log(`[docs] wrote ${path.relative(REPO_ROOT, out)}`);
  } finally {
    await session.close();
  }
} finally {
  releaseLock();
}
