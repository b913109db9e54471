// Registers the webview panels: the commands that open them, and the serializers that bring them
// back after a window reload.
import * as vscode from 'vscode';
import type { TimelineKind, TimelineSubject } from '../data/timeline';
import type { DataSession } from '../host/session';
import { createLog } from '../log';
import { plainLine } from '../views/modelText';
import { METRICS_VIEW_TYPE, parseMetricsState } from '../../webview/metrics/protocol';
import { TIMELINE_VIEW_TYPE, parseTimelineState } from '../../webview/timeline/protocol';
import { PANEL_COMMANDS } from './commands';
import { MetricsPanel } from './metricsPanel';
import { panelOptions, type PanelContext } from './panel';
import { subjectEntries, subjectFromArgument, typedRepository, type SubjectEntry } from './targets';
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
    vscode.commands.registerCommand(PANEL_COMMANDS.showIssueHistoryOfItem, (argument: unknown) =>
      showHistory('issue', argument),
    ),
    vscode.commands.registerCommand(PANEL_COMMANDS.showPrHistoryOfItem, (argument: unknown) =>
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

/**
 * The palette form: a quick pick of every issue or PR number the database has history for, which
 * also takes a number typed in that is not in the list (in the filtered repository, the only one, or
 * one the user then picks).
 */
async function pickSubject(panels: PanelContext, kind: TimelineKind): Promise<TimelineSubject | undefined> {
  const { session } = panels;
  const plural = kind === 'issue' ? 'issues' : 'pull requests';
  const known = session.withDatabase((db) => ({
    numbers: db.queries.knownNumbers({ repo: session.repoFilter, nowMs: session.now() }),
    repositories: db.queries.repositories(),
  }));
  if (!known) {
    const state = session.state;
    const reason = state.kind === 'open' ? 'The database could not be read.' : plainLine(state.message, 500);
    void vscode.window.showWarningMessage(`Unable to list ${plural}. ${reason}`);
    return undefined;
  }
  const refs = (kind === 'issue' ? known.numbers.issues : known.numbers.prs).map((ref) => ({
    repo: ref.repo,
    number: Number(ref.number),
  }));
  const repositories = session.repoFilter === null ? known.repositories : [session.repoFilter];
  if (refs.length === 0 && repositories.length === 0) {
    void vscode.window.showInformationMessage('No repository has any history in this database yet.');
    return undefined;
  }
  const typedRepo = typedRepository(session.repoFilter, repositories);
  const entry = await pickEntry(
    kind === 'issue' ? 'Show Issue History' : 'Show PR History',
    kind === 'issue' ? 'Pick an issue, or type its number' : 'Pick a pull request, or type its number',
    (typed) => subjectEntries(kind, refs, typed, repositories, typedRepo),
  );
  if (entry?.ref) return { kind, repo: entry.ref.repo, number: entry.ref.number };
  if (!entry?.typed) return undefined;
  const repo =
    entry.typed.repo ??
    (
      await vscode.window.showQuickPick(
        entry.typed.repos.map((name) => ({ label: plainLine(name, 200), name })),
        { placeHolder: `Which repository is #${entry.typed.number} in?` },
      )
    )?.name;
  return repo === undefined ? undefined : { kind, repo, number: entry.typed.number };
}

/**
 * A quick pick whose entries follow the typed text. Enter takes the highlighted entry; with none
 * highlighted (nothing matches), the typed number's own entry.
 */
function pickEntry(
  title: string,
  placeholder: string,
  entriesFor: (typed: string) => SubjectEntry[],
): Promise<SubjectEntry | undefined> {
  return new Promise((resolve) => {
    type Item = vscode.QuickPickItem & { entry: SubjectEntry };
    const quickPick = vscode.window.createQuickPick<Item>();
    quickPick.title = title;
    quickPick.placeholder = placeholder;
    quickPick.matchOnDescription = true;
    const update = () => {
      quickPick.items = entriesFor(quickPick.value).map((entry) => ({
        label: entry.label,
        ...(entry.description ? { description: plainLine(entry.description, 200) } : {}),
        ...(entry.detail ? { detail: entry.detail } : {}),
        ...(entry.alwaysShow ? { alwaysShow: true } : {}),
        entry,
      }));
    };
    let settled = false;
    const finish = (entry: SubjectEntry | undefined) => {
      if (settled) return;
      settled = true;
      resolve(entry);
      quickPick.dispose();
    };
    update();
    quickPick.onDidChangeValue(update);
    quickPick.onDidAccept(() => {
      const entry =
        quickPick.activeItems[0]?.entry ?? entriesFor(quickPick.value).find((candidate) => candidate.typed);
      if (entry) finish(entry);
    });
    quickPick.onDidHide(() => finish(undefined));
    quickPick.show();
  });
}
