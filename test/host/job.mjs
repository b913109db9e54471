// What the two outer scripts (run-codeserver.mjs, run-electron.mjs) share: the job given to the
// in-host mocha run, and the mocha-like summary printed from its JSON results.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT, extensionIdOf } from '../../scripts/code-server.mjs';

export const HOST_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Command-line options both runners accept; paths are resolved against the current directory. */
export function readOptions(argv, extra = {}) {
  const { values } = parseArgs({
    args: argv,
    options: {
      extension: { type: 'string', default: REPO_ROOT },
      workspace: { type: 'string' },
      tests: { type: 'string', default: path.join(REPO_ROOT, 'out', 'test', 'host') },
      grep: { type: 'string' },
      'test-timeout': { type: 'string', default: '20000' },
      timeout: { type: 'string', default: '180' },
      ...extra,
    },
  });
  const extension = path.resolve(values.extension);
  checkExtensionFolder(extension);
  const tests = path.resolve(values.tests);
  if (!existsSync(tests)) throw new Error(`Unable to find the tests folder ${tests}. Pass --tests <folder>.`);
  return {
    ...values,
    extension,
    tests,
    workspace: values.workspace ? path.resolve(values.workspace) : undefined,
    testTimeoutMs: Number(values['test-timeout']),
    timeoutMs: Number(values.timeout) * 1000,
  };
}

/** The folder must hold a manifest whose `main` exists (for the real extension: dist/extension.js). */
export function checkExtensionFolder(folder) {
  const manifestFile = path.join(folder, 'package.json');
  if (!existsSync(manifestFile)) throw new Error(`Unable to find ${manifestFile}.`);
  const { main } = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const entry = main && path.resolve(folder, main);
  const candidates = entry ? [entry, `${entry}.js`] : [];
  if (main && !candidates.some((file) => existsSync(file))) {
    throw new Error(`Unable to find ${main} in ${folder}. Build the extension first (npm run build).`);
  }
}

export function createJob({ extension, tests, grep, testTimeoutMs, resultsFile, runId }) {
  return {
    runId,
    testsDir: tests,
    mochaPath: createRequire(import.meta.url).resolve('mocha'),
    timeoutMs: testTimeoutMs,
    grep,
    activateExtensions: [extensionIdOf(extension)],
    resultsFile,
  };
}

/** Prints the results like mocha's spec reporter, ending with `N passed, N failed`. True when green. */
export function printSummary(results) {
  console.log(`\n  in-host tests (${results.host ?? 'VS Code'} ${results.vscodeVersion ?? ''})`.trimEnd());
  for (const test of results.tests) {
    const mark = test.state === 'passed' ? '✔' : test.state === 'failed' ? '✖' : '-';
    console.log(`    ${mark} ${test.fullTitle}${test.state === 'passed' ? ` (${test.durationMs} ms)` : ''}`);
    for (const note of test.notes ?? []) console.log(`        ${note}`);
  }
  const failures = results.tests.filter((test) => test.state === 'failed');
  failures.forEach((test, index) => {
    console.log(`\n  ${index + 1}) ${test.fullTitle}${test.kind === 'hook' ? ' (hook)' : ''}`);
    console.log(indent(test.error?.message ?? ''));
    const frames = (test.error?.stack ?? '').split('\n').filter((line) => /^\s*at /.test(line));
    console.log(indent(frames.slice(0, 4).join('\n')));
  });
  for (const error of results.errors ?? []) {
    // Whole stack head: for a test file that fails to load it names the file and line first.
    console.log(`\n  error: ${error.message}`);
    const lines = (error.stack ?? '').split('\n').filter((line) => line.trim() !== '');
    console.log(indent(lines.slice(0, 8).join('\n')));
  }
  const failed = results.failed + (results.errors?.length ?? 0);
  const pending = results.pending ? `, ${results.pending} skipped` : '';
  console.log(`\n  ${results.durationMs ?? 0} ms in the extension host`);
  console.log(`${results.passed} passed, ${failed} failed${pending}`);
  return failed === 0 && results.passed > 0;
}

function indent(text) {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `     ${line.trim()}`)
    .join('\n');
}
