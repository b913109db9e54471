// Helpers for the in-host suite (runs inside a real extension host; see test/host/suite/run.mjs).
// The extension's `activate` returns its live objects (MergexoTestApi in src/extension.ts); the tests
// read trees through the real TreeDataProvider and TreeItem, and the status bar through its item.
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const EXTENSION_ID = 'mergexo.mergexo-observability';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

function extension() {
  const found = vscode.extensions.getExtension(EXTENSION_ID);
  if (!found) throw new Error(`${EXTENSION_ID} is not installed in this extension host.`);
  return found;
}

/** The extension's exports once it is active. */
async function api() {
  const found = extension();
  const exports = found.isActive ? found.exports : await found.activate();
  if (!exports?.session) throw new Error(`${EXTENSION_ID} activate() returned no test API.`);
  return exports;
}

/** Polls `probe` every 50 ms until it returns a truthy value; fails with `what` after `timeoutMs`. */
async function waitFor(probe, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What run.mjs wrote beside the workspace: database path, base dir, re-dating offset. */
function runInfo() {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('No workspace folder is open.');
  const file = path.join(path.dirname(folder.uri.fsPath), 'run.json');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** An expected file of the fixtures (MergeXO's own dashboard output at the pinned now). */
function expected(name) {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'expected', `${name}.json`)));
}

function manifest() {
  return extension().packageJSON;
}

function labelText(label) {
  return typeof label === 'string' ? label : (label?.label ?? '');
}

/**
 * The tree as VS Code receives it: for each node the TreeItem the provider gives, with its children.
 * Returns `{ label, description, contextValue, id, node, children }`.
 */
async function treeOf(provider, element) {
  const nodes = await provider.getChildren(element);
  const rows = [];
  for (const node of nodes ?? []) {
    const item = await provider.getTreeItem(node);
    const collapsible = item.collapsibleState !== vscode.TreeItemCollapsibleState.None;
    rows.push({
      label: labelText(item.label),
      description: typeof item.description === 'string' ? item.description : '',
      contextValue: item.contextValue,
      id: item.id,
      node,
      children: collapsible ? await treeOf(provider, node) : [],
    });
  }
  return rows;
}

/** Depth-first list of the rows of `tree` (as returned by treeOf). */
function flatten(tree) {
  return tree.flatMap((row) => [row, ...flatten(row.children)]);
}

/** Tabs of webview panels whose view type is `viewType` (VS Code prefixes it internally). */
function webviewTabs(viewType) {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(viewType));
}

async function closeAllEditors() {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Sets a `mergexo.*` workspace setting (undefined removes it) and waits until the extension sees it. */
async function setSetting(key, value) {
  await vscode.workspace.getConfiguration('mergexo').update(key, value, vscode.ConfigurationTarget.Workspace);
}

module.exports = {
  EXTENSION_ID,
  REPO_ROOT,
  api,
  closeAllEditors,
  expected,
  extension,
  flatten,
  manifest,
  runInfo,
  setSetting,
  treeOf,
  waitFor,
  webviewTabs,
};
