// Opt-in notifications (off by default): a run failed, a PR became blocked, an agent stalled.
// Computed by diffing snapshots after the dashboard changes, never inside a tree provider.
import * as vscode from 'vscode';
import type { Log } from '../log';
import { Messages } from '../messages';
import { diffNotifications, type NotifyKind, type NotifySnapshot } from '../views/modelNotify';
import { NOTIFY_SETTINGS } from './notifySettings';
import { PANEL_COMMANDS } from '../panels/commands';
import type { DashboardStore } from './dashboard';
import type { MergexoSession } from './dataSession';
import { gitHubUrl } from './github';

/** More than this many events at once become one summary line instead of a stack of toasts. */
const MAX_TOASTS = 3;

export function createNotifications(
  session: MergexoSession,
  store: DashboardStore,
  log: Log,
): vscode.Disposable {
  const notifyLog = log.child('notify');
  let previous: NotifySnapshot | undefined;
  let previousPath: string | undefined;

  const enabled = (): Record<NotifyKind, boolean> => {
    const config = vscode.workspace.getConfiguration('mergexo');
    return {
      runFailed: config.get<boolean>(NOTIFY_SETTINGS.runFailed, false),
      prBlocked: config.get<boolean>(NOTIFY_SETTINGS.prBlocked, false),
      agentStalled: config.get<boolean>(NOTIFY_SETTINGS.agentStalled, false),
    };
  };

  const snapshot = (on: Record<NotifyKind, boolean>): NotifySnapshot | undefined => {
    const data = store.current();
    if (!data) return undefined;
    const nowMs = session.now();
    const agents = data.snapshot.agents.ok ? data.snapshot.agents.value : [];
    const tracked = data.snapshot.tracked.ok ? data.snapshot.tracked.value : [];
    const failed = on.runFailed
      ? session.withDatabase((db) => db.queries.failedRuns({ repo: session.repoFilter, nowMs }, 20))
      : undefined;
    return {
      runFailed: failed?.ok
        ? failed.value.map((run) => ({
            key: run.run_id,
            target: { repo: run.repo_full_name, issue: Number(run.issue_number), runId: run.run_id },
            detail: run.failure_class ?? undefined,
          }))
        : [],
      prBlocked: tracked
        .filter((row) => row.pr_number != null && row.status === 'blocked')
        .map((row) => ({
          key: `${row.repo_full_name}#${String(row.pr_number)}`,
          target: { repo: row.repo_full_name, issue: Number(row.issue_number), pr: Number(row.pr_number) },
        })),
      agentStalled: on.agentStalled
        ? agents
            .filter((agent) => store.stall(agent, nowMs).stalled)
            .map((agent) => ({
              key: agent.run_id,
              target: { repo: agent.repo_full_name, issue: Number(agent.issue_number), runId: agent.run_id },
            }))
        : [],
    };
  };

  const show = (kind: NotifyKind, message: string, target: { repo: string; issue?: number; pr?: number }) => {
    const history = [Messages.showHistory];
    const github = gitHubUrl(target, target.pr !== undefined ? 'pr' : 'issue');
    const buttons = [...history, ...(github ? [Messages.openOnGitHub] : []), Messages.dontShowAgain];
    // Not awaited: the refresh goes on while the toast waits for a click.
    void vscode.window.showWarningMessage(message, ...buttons).then(async (choice) => {
      if (choice === Messages.showHistory) {
        const command =
          target.pr !== undefined ? PANEL_COMMANDS.showPrHistory : PANEL_COMMANDS.showIssueHistory;
        await vscode.commands.executeCommand(command, { target });
      } else if (choice === Messages.openOnGitHub && github) {
        await vscode.env.openExternal(vscode.Uri.parse(github));
      } else if (choice === Messages.dontShowAgain) {
        await vscode.workspace
          .getConfiguration('mergexo')
          .update(NOTIFY_SETTINGS[kind], false, vscode.ConfigurationTarget.Global);
      }
    });
  };

  const onChange = () => {
    const on = enabled();
    const state = session.state;
    const path = state.kind === 'open' ? state.path : undefined;
    if (!on.runFailed && !on.prBlocked && !on.agentStalled) {
      previous = undefined;
      return;
    }
    if (path !== previousPath) {
      // A different file (or none): start a new baseline rather than announce its whole history.
      previous = undefined;
      previousPath = path;
    }
    const next = snapshot(on);
    if (!next) return;
    const events = diffNotifications(previous, next).filter((event) => on[event.kind]);
    previous = next;
    if (events.length === 0) return;
    notifyLog.info(`${events.length} new event(s): ${events.map((event) => event.message).join(' ')}`);
    for (const event of events.slice(0, MAX_TOASTS)) show(event.kind, event.message, event.target);
    if (events.length > MAX_TOASTS) {
      void vscode.window.showWarningMessage(
        `MergeXO: ${events.length - MAX_TOASTS} more events; see the MergeXO views.`,
      );
    }
  };

  const subscriptions = [
    store.onDidChange(onChange),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('mergexo.notifications')) onChange();
    }),
  ];
  return { dispose: () => subscriptions.forEach((subscription) => subscription.dispose()) };
}
