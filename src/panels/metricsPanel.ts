// The metrics panel: one per window, showing the chosen window and repository. The panel keeps its
// own intent (restored after a reload); a change of the sidebar's filter or window is applied to
// it too, since the latest explicit choice is the one the user expects to see (only the one that
// changed: the other keeps the panel's own choice).
import * as vscode from 'vscode';
import {
  METRICS_VIEW_TYPE,
  parseMetricsMessage,
  type MetricsFromWebview,
  type MetricsIntent,
  type MetricsToWebview,
} from '../../webview/metrics/protocol';
import { PanelController, panelOptions, type PanelContext } from './panel';
import { readMetricsSnapshot } from './snapshots';

const TITLE = 'MergeXO Metrics';

/** The panel's intent after the sidebar's scope went from `before` to `after`. */
export function followSidebar(
  intent: MetricsIntent,
  before: MetricsIntent,
  after: MetricsIntent,
): MetricsIntent {
  return {
    window: after.window !== before.window ? after.window : intent.window,
    repo: after.repo !== before.repo ? after.repo : intent.repo,
  };
}

export class MetricsPanel extends PanelController<MetricsToWebview, MetricsFromWebview> {
  private static current: MetricsPanel | undefined;
  private intent: MetricsIntent;

  static show(context: PanelContext): void {
    if (MetricsPanel.current) {
      MetricsPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      METRICS_VIEW_TYPE,
      TITLE,
      vscode.ViewColumn.Active,
      panelOptions(context.extensionUri),
    );
    MetricsPanel.current = new MetricsPanel(panel, context, undefined);
  }

  /** Called by the serializer after a window reload, with the intent the page had persisted. */
  static restore(panel: vscode.WebviewPanel, context: PanelContext, intent: MetricsIntent | undefined): void {
    MetricsPanel.current?.dispose();
    MetricsPanel.current = new MetricsPanel(panel, context, intent);
  }

  private constructor(panel: vscode.WebviewPanel, context: PanelContext, intent: MetricsIntent | undefined) {
    super(panel, context, 'metrics', parseMetricsMessage);
    this.intent = intent ?? { window: context.session.window, repo: context.session.repoFilter };
    // Only what the sidebar changed follows it: a new filter keeps the panel's own window, and the
    // other way round.
    let sidebar = { window: context.session.window, repo: context.session.repoFilter };
    const scopeListener = context.session.onDidChangeScope(() => {
      const next = { window: context.session.window, repo: context.session.repoFilter };
      this.intent = followSidebar(this.intent, sidebar, next);
      sidebar = next;
      this.refresh();
    });
    panel.onDidDispose(() => scopeListener.dispose());
  }

  protected handle(message: MetricsFromWebview): void {
    switch (message.type) {
      case 'ready':
        this.onReady();
        return;
      case 'setScope':
        this.intent = { window: message.window, repo: message.repo };
        this.refresh();
        return;
      case 'openLink':
        void this.openLink(message.target);
        return;
    }
  }

  protected read(): MetricsToWebview {
    const { session } = this.context;
    const snapshot = session.withDatabase((db) => readMetricsSnapshot(db, this.intent, session.now()));
    if (snapshot) return { type: 'snapshot', snapshot };
    const state = session.state;
    return {
      type: 'unavailable',
      message:
        state.kind === 'open' ? 'Unable to read the MergeXO database; see the MergeXO log.' : state.message,
    };
  }

  protected override onDispose(): void {
    if (MetricsPanel.current === this) MetricsPanel.current = undefined;
  }
}
