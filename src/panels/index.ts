// Registers the webview panels: the commands that open them, and the serializers that bring them
// back after a window reload.
import * as vscode from 'vscode';
import type { TimelineKind } from '../data/timeline';
import type { DataSession } from '../host/session';
import { createLog } from '../log';
import { METRICS_VIEW_TYPE, parseMetricsState } from '../../webview/metrics/protocol';
import { TIMELINE_VIEW_TYPE, parseTimelineState } from '../../webview/timeline/protocol';
import { PANEL_COMMANDS } from './commands';
import { MetricsPanel } from './metricsPanel';
import { panelOptions, type PanelContext } from './panel';
import { subjectFromArgument } from './targets';
import { TimelinePanel } from './timelinePanel';

export { PANEL_COMMANDS };

export function registerPanels(
  context: vscode.ExtensionContext,
  session: DataSession,
  log: vscode.LogOutputChannel,
): void {
  const panels: PanelContext = { extensionUri: context.extensionUri, session, log: createLog(log, 'Panels') };

  const showHistory = async (kind: TimelineKind, argument: unknown) => {
    const subject = subjectFromArgument(argument, kind) ?? (await pickSubject(panels, kind));
    if (subject) TimelinePanel.show(panels, subject);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(PANEL_COMMANDS.showMetrics, () => MetricsPanel.show(panels)),
    vscode.commands.registerCommand(PANEL_COMMANDS.showIssueHistory, (argument: unknown) =>
      showHistory('issue', argument),
    ),
    vscode.commands.registerCommand(PANEL_COMMANDS.showPrHistory, (argument: unknown) =>
      showHistory('pr', argument),
    ),
    vscode.window.registerWebviewPanelSerializer(METRICS_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        panel.webview.options = panelOptions(context.extensionUri);
        const restored = parseMetricsState(state);
        MetricsPanel.restore(panel, panels, restored && { window: restored.window, repo: restored.repo });
      },
    }),
    vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        const restored = parseTimelineState(state);
        if (!restored) {
          panels.log.warn('Closed a restored timeline panel whose saved state names no issue or PR.');
          panel.dispose();
          return;
        }
        panel.webview.options = panelOptions(context.extensionUri);
        TimelinePanel.restore(panel, panels, restored.subject);
      },
    }),
  );
}

/** The palette form: a quick pick of every issue or PR number the database has history for. */
async function pickSubject(panels: PanelContext, kind: TimelineKind) {
  const { session } = panels;
  const known = session.withDatabase((db) =>
    db.queries.knownNumbers({ repo: session.repoFilter, nowMs: session.now() }),
  );
  if (!known) {
    void vscode.window.showWarningMessage(
      `Unable to list ${kind === 'issue' ? 'issues' : 'pull requests'}. ${
        session.state.kind === 'open' ? 'The database could not be read.' : session.state.message
      }`,
    );
    return undefined;
  }
  const refs = kind === 'issue' ? known.issues : known.prs;
  if (refs.length === 0) {
    void vscode.window.showInformationMessage(
      `No ${kind === 'issue' ? 'issue' : 'pull request'} has any history in this database yet.`,
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    refs.map((ref) => ({ label: `#${String(ref.number)}`, description: ref.repo, ref })),
    {
      title: kind === 'issue' ? 'Show Issue History' : 'Show PR History',
      placeHolder: kind === 'issue' ? 'Pick an issue' : 'Pick a pull request',
      matchOnDescription: true,
    },
  );
  if (!picked) return undefined;
  return { kind, repo: picked.ref.repo, number: Number(picked.ref.number) };
}
