// The same in-host mocha suite as run-codeserver.mjs, on a desktop VS Code that @vscode/test-electron
// downloads. For machines that can reach VS Code's download servers (this project's CI machine cannot:
// use run-codeserver.mjs there). On a Linux box without a display, wrap it in `xvfb-run -a`.
//
//   xvfb-run -a node test/host/run-electron.mjs [--extension <folder>] [--workspace <folder>]
//       [--tests <folder>] [--grep <text>] [--test-timeout <ms>] [--vscode-version stable|insiders|1.101.0]
//
// The extension is loaded with --extensionDevelopmentPath (not installed), other extensions are
// disabled, and electron-entry.cjs runs the suite; results land in .vscode-test/host-run/results.json.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestRunFailedError, runTests } from '@vscode/test-electron';
import { REPO_ROOT } from '../../scripts/code-server.mjs';
import { HOST_DIR, createJob, printSummary, readOptions } from './job.mjs';

const RUN_DIR = path.join(REPO_ROOT, '.vscode-test', 'host-run');

async function main() {
  const options = readOptions(process.argv.slice(2), {
    'vscode-version': { type: 'string', default: 'stable' },
  });
  rmSync(RUN_DIR, { recursive: true, force: true });
  mkdirSync(RUN_DIR, { recursive: true }); // job.json goes here even when --workspace is elsewhere
  const workspace = options.workspace ?? path.join(RUN_DIR, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const resultsFile = path.join(RUN_DIR, 'results.json');
  const jobFile = path.join(RUN_DIR, 'job.json');
  writeFileSync(
    jobFile,
    JSON.stringify(createJob({ ...options, resultsFile, runId: `${Date.now()}` }), null, 2),
  );

  try {
    await runTests({
      version: options['vscode-version'],
      extensionDevelopmentPath: options.extension,
      extensionTestsPath: path.join(HOST_DIR, 'electron-entry.cjs'),
      extensionTestsEnv: { MERGEXO_HOST_TEST_JOB: jobFile },
      launchArgs: [
        workspace,
        '--disable-extensions',
        `--user-data-dir=${path.join(RUN_DIR, 'user-data')}`,
        `--extensions-dir=${path.join(RUN_DIR, 'extensions')}`,
      ],
    });
  } catch (error) {
    // A failing suite rejects with TestRunFailedError; the results file says why.
    if (!(error instanceof TestRunFailedError)) throw error;
  }
  if (!existsSync(resultsFile)) throw new Error(`VS Code exited without writing ${resultsFile}.`);
  process.exitCode = printSummary(JSON.parse(readFileSync(resultsFile, 'utf8'))) ? 0 : 1;
}

main().catch((error) => {
  console.error(`[host] ${error instanceof Error ? error.message : error}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
