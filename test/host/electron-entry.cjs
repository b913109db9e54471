// `extensionTestsPath` for @vscode/test-electron (see run-electron.mjs). VS Code loads this module in
// the extension development host and awaits run(); a rejection makes VS Code exit non-zero.
// The same run-mocha.js as the code-server runner extension, so the suite and results match.
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';

const fs = require('node:fs');
const vscode = require('vscode');
const { runMochaSuite, writeResults } = require('./runner-extension/run-mocha.js');

async function run() {
  const jobFile = process.env.MERGEXO_HOST_TEST_JOB;
  if (!jobFile) throw new Error('MERGEXO_HOST_TEST_JOB is not set; start this through run-electron.mjs.');
  const job = JSON.parse(fs.readFileSync(jobFile, 'utf8'));
  const startedAt = new Date().toISOString();
  for (const id of job.activateExtensions ?? []) {
    const extension = vscode.extensions.getExtension(id);
    if (!extension) throw new Error(`Extension ${id} is not loaded in the development host.`);
    await extension.activate();
  }
  const results = await runMochaSuite(job);
  writeResults(job.resultsFile, {
    host: 'electron',
    vscodeVersion: vscode.version,
    runId: job.runId,
    startedAt,
    ...results,
  });
  if (results.failed > 0 || results.errors.length > 0 || results.passed === 0) {
    throw new Error(`${results.failed} failed, ${results.errors.length} errors`);
  }
}

module.exports = { run };
