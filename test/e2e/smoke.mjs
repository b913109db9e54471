// End-to-end smoke check of the harness against the throwaway sample extension: the tree rows, the
// status-bar text and the webview text as a person would see them, plus a screenshot.
//
//   node test/e2e/smoke.mjs [--extension <folder>] [--workspace <folder>]
//
// Ends with `N passed, N failed` and exits non-zero on a failure. A template for the real extension's
// end-to-end checks: keep the harness calls, change the expectations.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, seconds } from '../../scripts/code-server.mjs';
import { startWorkbench } from './harness.mjs';

const { values } = parseArgs({
  options: {
    extension: { type: 'string', default: path.join(REPO_ROOT, 'test', 'host', 'sample-extension') },
    workspace: { type: 'string', default: path.join(REPO_ROOT, '.cache', 'e2e-workspace') },
  },
});

const checks = [
  [
    'status bar shows the agent count',
    async ({ workbench }) => {
      const item = await workbench.statusBarItem('mergexoSample.status');
      assert.equal(item?.text, '$(pulse) 3 agents');
    },
  ],
  [
    'tree view lists the agents',
    async ({ workbench }) => {
      await workbench.openViewContainer('MergeXO Sample');
      const rows = await workbench.treeRows('Agents', { minRows: 3 });
      assert.deepEqual(
        rows.map((row) => `${row.label} | ${row.description}`),
        ['agent-1 | running 4m', 'agent-2 | blocked: review', 'agent-3 | idle'],
      );
    },
  ],
  [
    'webview panel says hello',
    async ({ workbench }) => {
      await workbench.runCommand('MergeXO Sample: Open Panel');
      const text = await workbench.webviewText({
        extensionId: 'mergexo-test.mergexo-sample',
        expected: 'hello',
      });
      assert.equal(text, 'hello');
    },
  ],
];

async function main() {
  const started = Date.now();
  mkdirSync(values.workspace, { recursive: true });
  const session = await startWorkbench({
    extensions: [path.resolve(values.extension)],
    workspace: values.workspace,
  });
  let passed = 0;
  let failed = 0;
  try {
    for (const [name, check] of checks) {
      const checkStarted = Date.now();
      try {
        await check(session);
        passed += 1;
        console.log(`  ✔ ${name} (${seconds(checkStarted)})`);
      } catch (error) {
        failed += 1;
        console.log(`  ✖ ${name}\n     ${error instanceof Error ? error.message : error}`);
        await session.workbench.screenshot(`smoke-failed-${failed}`);
      }
    }
    await session.workbench.screenshot('smoke');
    if (failed > 0) console.log(`browser errors:\n  ${session.workbench.errors.slice(-10).join('\n  ')}`);
  } finally {
    await session.close();
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
