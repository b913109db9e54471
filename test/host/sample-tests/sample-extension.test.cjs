// In-host test for the throwaway sample extension: runs inside a real extension host with the real
// `vscode` API (code-server via run-codeserver.mjs, or VS Code via run-electron.mjs).
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');

const EXTENSION_ID = 'mergexo-test.mergexo-sample';

describe('sample extension', () => {
  it('is installed and active', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('mergexoSample.hello'), 'mergexoSample.hello is not registered');
    assert.ok(commands.includes('mergexoSample.openPanel'), 'mergexoSample.openPanel is not registered');
  });

  it('answers the hello command', async () => {
    assert.equal(await vscode.commands.executeCommand('mergexoSample.hello'), 'hello');
  });

  it('opens the workspace folder it was given', () => {
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
  });
});
