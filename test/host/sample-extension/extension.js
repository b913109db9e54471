// Throwaway fixture: just enough surface (a command, a tree view, a status-bar item, a webview) to prove
// that the in-host runner and the browser harness see what a real extension contributes.
// Plain CommonJS so it needs no build step; the extension host only offers `vscode` to require().
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';

const vscode = require('vscode');

const AGENTS = [
  { id: 'agent-1', label: 'agent-1', description: 'running 4m' },
  { id: 'agent-2', label: 'agent-2', description: 'blocked: review' },
  { id: 'agent-3', label: 'agent-3', description: 'idle' },
];

/** @type {vscode.TreeDataProvider<(typeof AGENTS)[number]>} */
const agentsProvider = {
  getChildren: (element) => (element ? [] : AGENTS),
  getTreeItem: (agent) => {
    const item = new vscode.TreeItem(agent.label, vscode.TreeItemCollapsibleState.None);
    item.id = `mergexo-sample:${agent.id}`;
    item.description = agent.description;
    item.iconPath = new vscode.ThemeIcon('person');
    return item;
  },
};

function panelHtml(webview) {
  const csp = `default-src 'none'; style-src ${webview.cspSource};`;
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}"></head>
<body><h1 id="greeting">hello</h1></body>
</html>`;
}

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  const status = vscode.window.createStatusBarItem(
    'mergexoSample.status',
    vscode.StatusBarAlignment.Left,
    100,
  );
  status.name = 'MergeXO Sample Agents';
  status.text = '$(pulse) 3 agents';
  status.tooltip = 'Sample status-bar item';
  status.show();

  context.subscriptions.push(
    status,
    vscode.window.createTreeView('mergexoSample.agents', { treeDataProvider: agentsProvider }),
    vscode.commands.registerCommand('mergexoSample.hello', () => 'hello'),
    vscode.commands.registerCommand('mergexoSample.openPanel', () => {
      const panel = vscode.window.createWebviewPanel(
        'mergexoSample.panel',
        'MergeXO Sample Panel',
        vscode.ViewColumn.One,
        { enableScripts: false, localResourceRoots: [] },
      );
      panel.webview.html = panelHtml(panel.webview);
      return panel.title;
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
