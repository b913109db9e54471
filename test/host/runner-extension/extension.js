// Test-only extension, installed next to the extension under test by ../run-codeserver.mjs.
// On activation it looks for a job: the file named by $MERGEXO_HOST_TEST_JOB, else job.json in its own
// folder (written there by the outer script; code-server's extension host inherits the server's
// environment, but the file does not depend on that). Without a job it does nothing. With one, it
// activates the listed extensions, runs the mocha suite and writes JSON results to job.resultsFile.
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { runMochaSuite, writeResults } = require('./run-mocha.js');

function readJob(extensionPath) {
  const file = process.env.MERGEXO_HOST_TEST_JOB || path.join(extensionPath, 'job.json');
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

async function runJob(job) {
  const startedAt = new Date().toISOString();
  let results;
  try {
    for (const id of job.activateExtensions ?? []) {
      const extension = vscode.extensions.getExtension(id);
      if (!extension) throw new Error(`Extension ${id} is not installed in this extension host.`);
      await extension.activate();
    }
    results = await runMochaSuite(job);
  } catch (error) {
    const described =
      error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
    results = { passed: 0, failed: 0, pending: 0, tests: [], files: [], errors: [described] };
  }
  writeResults(job.resultsFile, {
    host: 'code-server',
    vscodeVersion: vscode.version,
    runId: job.runId,
    startedAt,
    ...results,
  });
}

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  const job = readJob(context.extensionPath);
  // A reload of the window activates us again; the results of the first run stand.
  if (!job || fs.existsSync(job.resultsFile)) return;
  // Run after activate() returns so the host does not count the suite as our activation time.
  setTimeout(() => {
    runJob(job).catch((error) => console.error('[host-test-runner]', error));
  }, 0);
}

function deactivate() {}

module.exports = { activate, deactivate };
