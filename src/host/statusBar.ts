// The status-bar item: agents and blocked work at a glance; warning colour only for real trouble.
import * as vscode from 'vscode';
import { safeMarkdown } from '../views/treeProvider';
import { statusModel } from '../views/modelStatus';
import { Views } from './commandIds';
import type { DashboardStore } from './dashboard';
import type { MergexoSession } from './dataSession';

/** The item is exposed for the in-host test suite, which reads its text through the real API. */
export interface StatusBar extends vscode.Disposable {
  readonly item: vscode.StatusBarItem;
}

export function createStatusBar(session: MergexoSession, store: DashboardStore): StatusBar {
  const item = vscode.window.createStatusBarItem('mergexo.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'MergeXO';
  item.command = { command: `${Views.agents}.focus`, title: 'Show Active Agents' };
  let lastKey = '';

  const render = () => {
    const state = session.state;
    const data = store.current();
    const overview = data?.snapshot.overview;
    const service = store.serviceVerdict();
    const health = store.healthCounts(session.now());
    const model = statusModel({
      state: state.kind === 'open' && !data ? 'error' : state.kind,
      ...(state.kind === 'none' || state.kind === 'error' ? { message: state.message } : {}),
      ...(state.kind === 'error' && state.reason ? { reason: state.reason } : {}),
      ...(state.kind !== 'none' ? { path: state.path } : {}),
      ...(state.kind === 'open' && !data
        ? { message: 'Reading the database failed; see the MergeXO log.' }
        : {}),
      ...(overview?.ok
        ? { overview: overview.value }
        : overview
          ? { overviewGap: overview.gap.message }
          : {}),
      stalled: health.stalled,
      orphaned: health.orphaned,
      ...(service?.running === 'no' && service.severity === 'warning'
        ? { serviceDown: service.message }
        : {}),
      ...(session.staleSince !== undefined
        ? { staleSince: new Date(session.staleSince).toLocaleTimeString() }
        : {}),
      window: session.window,
      repo: session.repoFilter,
      repoSource: session.repositoryScope().source,
    });
    const key = JSON.stringify(model);
    if (key === lastKey) return;
    lastKey = key;
    item.text = model.text;
    item.tooltip = safeMarkdown(model.tooltip);
    item.accessibilityInformation = { label: model.accessibilityLabel };
    item.backgroundColor = model.warning
      ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : undefined;
  };
  render();
  item.show();
  const subscription = store.onDidChange(render);
  return {
    item,
    dispose() {
      subscription.dispose();
      item.dispose();
    },
  };
}
