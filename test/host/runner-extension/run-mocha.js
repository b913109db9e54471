// Runs a folder of mocha test files in the current process and returns plain JSON results.
// Shared by the code-server runner extension (extension.js) and the @vscode/test-electron entry
// (../electron-entry.cjs): in both cases this process is a VS Code extension host, so test files can
// require('vscode'). Test files are CommonJS (`*.test.js` / `*.test.cjs`) because the extension host
// only provides `vscode` to require(); compile TypeScript tests to CommonJS first.
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const TEST_FILE = /\.test\.c?js$/;

function findTestFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') files.push(...findTestFiles(full));
    else if (entry.isFile() && TEST_FILE.test(entry.name)) files.push(full);
  }
  return files.sort();
}

function describeError(error) {
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  return { message: String(error) };
}

/**
 * @param {object} options
 * @param {string} options.testsDir folder searched recursively for *.test.js / *.test.cjs
 * @param {string} options.mochaPath absolute path of mocha's entry file (the repo's node_modules/mocha)
 * @param {number} [options.timeoutMs] per-test timeout
 * @param {string} [options.grep] only run tests whose full title matches
 * @param {'bdd'|'tdd'} [options.ui]
 */
async function runMochaSuite({ testsDir, mochaPath, timeoutMs = 20_000, grep, ui = 'bdd' }) {
  const started = Date.now();
  const results = { passed: 0, failed: 0, pending: 0, tests: [], errors: [], files: [] };
  // Figures a test measured (`hostTestNote('…')`), printed under its title by the outer script.
  const notes = [];
  globalThis.hostTestNote = (text) => notes.push(String(text));
  const record = (test, state, error) => {
    results.tests.push({
      notes: notes.splice(0),
      title: test.title,
      fullTitle: test.fullTitle(),
      file: test.file ? path.relative(testsDir, test.file) : undefined,
      kind: test.type === 'hook' ? 'hook' : 'test',
      state,
      durationMs: test.duration ?? 0,
      error: error ? describeError(error) : undefined,
    });
  };

  try {
    results.files = findTestFiles(testsDir);
    if (results.files.length === 0) throw new Error(`No *.test.js or *.test.cjs files in ${testsDir}.`);
    const mochaModule = await import(pathToFileURL(mochaPath).href);
    const Mocha = mochaModule.default ?? mochaModule;
    const mocha = new Mocha({ ui, timeout: timeoutMs, color: false, reporter: 'spec' });
    if (grep) mocha.grep(grep);
    for (const file of results.files) mocha.addFile(file);
    await new Promise((resolve, reject) => {
      try {
        const runner = mocha.run(() => resolve());
        runner.on('pass', (test) => {
          results.passed += 1;
          record(test, 'passed');
        });
        runner.on('fail', (test, error) => {
          results.failed += 1;
          record(test, 'failed', error);
        });
        runner.on('pending', (test) => {
          results.pending += 1;
          record(test, 'pending');
        });
      } catch (error) {
        reject(error); // a test file that fails to load throws here
      }
    });
  } catch (error) {
    results.errors.push(describeError(error));
  }
  results.files = results.files.map((file) => path.relative(testsDir, file));
  results.durationMs = Date.now() - started;
  return results;
}

/** Writes JSON through a temporary file so a reader polling for `file` never sees half of it. */
function writeResults(file, results) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(results, null, 2));
  fs.renameSync(temporary, file);
}

module.exports = { runMochaSuite, writeResults, findTestFiles };
