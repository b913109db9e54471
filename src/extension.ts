// Entry point: wires the data session, the shared dashboard read, the sidebar views, the status
// bar, commands and notifications. Everything that can be tested without VS Code lives elsewhere.
import * as vscode from 'vscode';
import { DEFAULT_STALL_THRESHOLD_SECONDS } from './data/liveness';
import { parseTimestamp } from './data/timestamps';
import { WINDOWS, type MetricsWindow } from './data/types';
import { ContextKeys } from './host/commandIds';
import { registerCommands } from './host/commands';
import { DashboardStore } from './host/dashboard';
import { MergexoSession, type SessionSettings } from './host/dataSession';
import { createNotifications } from './host/notifications';
import { createStatusBar } from './host/statusBar';
import { createLog } from './log';
import { Messages } from './messages';
import { registerPanels } from './panels';
import { createViews, type SidebarViews } from './views';

const SESSION_KEYS = ['stateDbPath', 'refreshIntervalSeconds', 'repository', 'metricsWindow'];

function config() {
  return vscode.workspace.getConfiguration('mergexo');
}

/** The database path is a restricted setting: in an untrusted workspace only the user's value counts. */
function stateDbPath(): { path: string; ignoredWorkspaceValue: boolean } {
  const inspected = config().inspect<string>('stateDbPath');
  if (vscode.workspace.isTrusted)
    return { path: config().get<string>('stateDbPath', ''), ignoredWorkspaceValue: false };
  const workspaceValue = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
  return { path: inspected?.globalValue ?? '', ignoredWorkspaceValue: Boolean(workspaceValue) };
}

function readSettings(): SessionSettings {
  const settings = config();
  const window = settings.inspect<string>('metricsWindow');
  const explicitWindow = window?.workspaceFolderValue ?? window?.workspaceValue ?? window?.globalValue;
  const refresh = settings.get<number | null>('refreshIntervalSeconds', null);
  return {
    stateDbPath: stateDbPath().path,
    refreshIntervalSeconds: typeof refresh === 'number' && refresh > 0 ? refresh : null,
    repository: settings.get<string>('repository', ''),
    metricsWindow: WINDOWS.includes(explicitWindow as MetricsWindow)
      ? (explicitWindow as MetricsWindow)
      : null,
  };
}

/**
 * What `activate` returns: the live objects behind the views, for the in-host test suite
 * (`vscode.extensions.getExtension(id).exports`). Not a stable API for other extensions.
 */
export interface MergexoTestApi {
  readonly session: MergexoSession;
  readonly store: DashboardStore;
  readonly views: SidebarViews;
  readonly statusBar: vscode.StatusBarItem;
  /** The last value this extension gave each context key with `setContext`. */
  readonly contextKeys: ReadonlyMap<string, unknown>;
}

/**
 * `MERGEXO_OBS_NOW` (an ISO time) pins the clock of every figure, like the CLI's `--now`: the in-host
 * tests, the end-to-end check and screenshots use it to show a fixture database as MergeXO saw it.
 */
function pinnedClock(): (() => number) | undefined {
  const pinned = parseTimestamp(process.env.MERGEXO_OBS_NOW ?? null);
  return pinned === null ? undefined : () => pinned;
}

export function activate(context: vscode.ExtensionContext): MergexoTestApi {
  const channel = vscode.window.createOutputChannel('MergeXO', { log: true });
  context.subscriptions.push(channel);
  const log = createLog(channel);
  log.info(`MergeXO Observability ${String(context.extension.packageJSON.version ?? '')} activating.`);

  const clock = pinnedClock();
  if (clock) log.warn(`The clock is pinned to ${new Date(clock()).toISOString()} by MERGEXO_OBS_NOW.`);
  const session = new MergexoSession({
    settings: readSettings,
    folders: () =>
      (vscode.workspace.workspaceFolders ?? [])
        .filter((f) => f.uri.scheme === 'file')
        .map((f) => f.uri.fsPath),
    memento: context.workspaceState,
    now: clock,
    log,
    notes: () => (stateDbPath().ignoredWorkspaceValue ? [Messages.untrustedPathIgnored] : []),
  });
  const store = new DashboardStore(
    session,
    {
      stallThresholdSeconds: () => {
        const minutes = config().get<number>('stallThresholdMinutes', DEFAULT_STALL_THRESHOLD_SECONDS / 60);
        return Math.max(1, minutes) * 60;
      },
    },
    log,
  );
  const views = createViews(
    session,
    store,
    { outcomesPageSize: () => Math.max(5, Math.min(500, config().get<number>('outcomesPageSize', 50))) },
    log,
  );
  context.subscriptions.push(session, store, views);

  // Context keys for `when` clauses (welcome views, menus, the Roadmaps view).
  const contextValues = new Map<string, unknown>();
  const setContext = (key: string, value: unknown) => {
    if (contextValues.get(key) === value) return;
    contextValues.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  const syncContext = () => {
    setContext(ContextKeys.state, session.state.kind);
    setContext(
      ContextKeys.errorReason,
      session.state.kind === 'error' ? (session.state.reason ?? 'read-failed') : '',
    );
    setContext(ContextKeys.multipleDatabases, session.candidates.length > 1);
    setContext(ContextKeys.filtered, session.repoFilter !== null);
    const data = store.current();
    setContext(ContextKeys.hasRoadmaps, data?.hasRoadmaps ?? false);
    const service = store.serviceVerdict();
    setContext(ContextKeys.serviceDown, service?.running === 'no' && service.severity === 'warning');
  };
  context.subscriptions.push(store.onDidChange(syncContext));

  const statusBar = createStatusBar(session, store);
  context.subscriptions.push(
    statusBar,
    ...registerCommands({ session, store, views, channel, log }),
    createNotifications(session, store, log),
    vscode.workspace.onDidChangeConfiguration((event) => {
      const keys = SESSION_KEYS.filter((key) => event.affectsConfiguration(`mergexo.${key}`));
      if (keys.length) session.settingsChanged(keys);
      if (event.affectsConfiguration('mergexo.stallThresholdMinutes')) views.updateAll();
      if (event.affectsConfiguration('mergexo.outcomesPageSize')) views.outcomes.update();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => session.foldersChanged()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => session.settingsChanged(['stateDbPath'])),
  );

  // Webview panels (timelines, metrics) share the session; they register their own commands.
  registerPanels(context, session, channel);

  session.start();
  syncContext();
  return { session, store, views, statusBar: statusBar.item, contextKeys: contextValues };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
