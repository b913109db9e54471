// Command handlers. The table is typed by `Commands`, so every id gets a handler, and a test checks
// the same ids against package.json.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { WINDOWS, type MetricsWindow } from '../data/types';
import type { Log } from '../log';
import { Messages } from '../messages';
import { noIcons } from '../views/modelText';
import type { SidebarViews } from '../views';
import { Commands, type CommandKey } from './commandIds';
import type { DashboardStore } from './dashboard';
import type { MergexoSession } from './dataSession';
import { gitHubUrl, type GitHubLinkKind } from './github';
import type { WorkTarget } from './session';
import { findWorktree, scanWorktrees } from './worktree';

export interface CommandContext {
  session: MergexoSession;
  store: DashboardStore;
  views: SidebarViews;
  channel: vscode.LogOutputChannel;
  log: Log;
}

/** A tree node, a `{ target }` wrapper or a bare target: whatever a menu or a caller passes. */
export function targetOf(argument: unknown): WorkTarget | undefined {
  if (argument === null || typeof argument !== 'object') return undefined;
  const value = argument as { target?: unknown; repo?: unknown };
  const candidate = (value.target ?? value) as { repo?: unknown };
  return typeof candidate.repo === 'string' ? (candidate as WorkTarget) : undefined;
}

/** Settings go where the user most likely means them: the workspace when one is open. */
function settingsTarget(): vscode.ConfigurationTarget {
  return vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
}

export function registerCommands(context: CommandContext): vscode.Disposable[] {
  const { session, views, channel } = context;
  const log = context.log.child('commands');

  const openOnGitHub = async (argument: unknown, kind: GitHubLinkKind, what: string) => {
    const target = targetOf(argument);
    const url = target ? gitHubUrl(target, kind) : undefined;
    if (!url) {
      void vscode.window.showWarningMessage(Messages.noGitHubLink(what));
      return;
    }
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
  };

  const copy = async (text: string | undefined, what: string) => {
    if (!text) {
      void vscode.window.showWarningMessage(`Unable to copy the ${what}: the item has none.`);
      return;
    }
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(Messages.copied(what), 3000);
  };

  const handlers: Record<CommandKey, (...args: unknown[]) => unknown> = {
    refresh: () => {
      session.refresh();
      views.updateAll();
    },

    openDatabase: async () => {
      const chosen = session.chosen;
      const uris = await vscode.window.showOpenDialog({
        title: Messages.pickDatabaseTitle,
        canSelectFiles: true,
        canSelectFolders: false,
        canSelectMany: false,
        openLabel: 'Open',
        filters: { [Messages.pickDatabaseFilter]: ['db', 'sqlite', 'sqlite3'], 'All files': ['*'] },
        ...(chosen ? { defaultUri: vscode.Uri.file(dirname(chosen.dbPath)) } : {}),
      });
      const uri = uris?.[0];
      if (!uri) return;
      log.info(`Database picked: ${uri.fsPath}`);
      await session.openPath(uri.fsPath);
    },

    selectDatabase: async () => {
      type Pick = vscode.QuickPickItem & { action: 'candidate' | 'auto' | 'browse'; dbPath?: string };
      const current = session.chosen?.dbPath;
      const items: Pick[] = session.candidates.map((candidate) => ({
        label: noIcons(
          candidate.configPath ? basename(dirname(candidate.configPath)) : basename(candidate.baseDir),
        ),
        description: noIcons(candidate.dbPath),
        detail:
          candidate.source === 'config'
            ? noIcons(`from ${candidate.configPath}`)
            : candidate.source === 'setting'
              ? 'from the mergexo.stateDbPath setting'
              : "MergeXO's default folder",
        action: 'candidate',
        dbPath: candidate.dbPath,
        picked: candidate.dbPath === current,
      }));
      if (session.chosen?.source === 'picked') {
        items.push({
          label: 'Automatic',
          detail: 'Use the setting or the mergexo.toml files again',
          action: 'auto',
        });
      }
      items.push({ label: 'Open a file…', detail: 'Pick any state.db', action: 'browse' });
      const choice = await vscode.window.showQuickPick(items, {
        placeHolder: Messages.selectDatabasePlaceholder,
        matchOnDescription: true,
      });
      if (!choice) return;
      if (choice.action === 'browse') return vscode.commands.executeCommand(Commands.openDatabase);
      await session.selectCandidate(choice.action === 'candidate' ? choice.dbPath : undefined);
    },

    selectRepository: async () => {
      const repos = session.withDatabase((db) => db.queries.repositories()) ?? [];
      const filter = session.repoFilter;
      type Pick = vscode.QuickPickItem & { repo: string };
      const items: Pick[] = [
        { label: Messages.allRepositories, repo: '', picked: filter === null },
        ...repos.map((repo) => ({ label: noIcons(repo), repo, picked: repo === filter })),
      ];
      const choice = await vscode.window.showQuickPick(items, {
        placeHolder: Messages.selectRepositoryPlaceholder,
      });
      if (!choice) return;
      await vscode.workspace.getConfiguration('mergexo').update('repository', choice.repo, settingsTarget());
    },

    selectMetricsWindow: async () => {
      const current = session.window;
      const labels: Record<MetricsWindow, string> = {
        '1h': 'Last hour',
        '24h': 'Last 24 hours',
        '7d': 'Last 7 days',
        '30d': 'Last 30 days',
      };
      const choice = await vscode.window.showQuickPick(
        WINDOWS.map((window) => ({
          label: window,
          description: labels[window] + (window === current ? ' (current)' : ''),
          window,
        })),
        { placeHolder: Messages.selectWindowPlaceholder },
      );
      if (!choice) return;
      await vscode.workspace
        .getConfiguration('mergexo')
        .update('metricsWindow', choice.window, settingsTarget());
    },

    showLog: () => channel.show(true),

    openSettings: () => vscode.commands.executeCommand('workbench.action.openSettings', 'mergexo.'),

    loadMoreOutcomes: () => views.loadMoreOutcomes(),

    openIssueOnGitHub: (argument) => openOnGitHub(argument, 'issue', 'issue'),
    openPrOnGitHub: (argument) => openOnGitHub(argument, 'pr', 'pull request'),
    openBranchOnGitHub: (argument) => openOnGitHub(argument, 'branch', 'branch'),
    openCommitOnGitHub: (argument) => openOnGitHub(argument, 'commit', 'commit'),

    copyBranch: (argument) => copy(targetOf(argument)?.branch, 'branch name'),
    copyRunId: (argument) => copy(targetOf(argument)?.runId, 'run id'),

    revealWorktree: async (argument) => {
      const target = targetOf(argument);
      const baseDir = session.chosen?.baseDir;
      if (!target || !baseDir) return;
      // Scan again: the slot may have switched branches since the last refresh.
      const folder = findWorktree(scanWorktrees(baseDir, [target.repo]), target.repo, target.branch);
      if (!folder || !existsSync(folder)) {
        void vscode.window.showWarningMessage(Messages.noWorktree);
        return;
      }
      // Keep the remote authority of this window, so the folder opens where the extension runs.
      const workspaceUri = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = workspaceUri
        ? workspaceUri.with({ path: vscode.Uri.file(folder).path })
        : vscode.Uri.file(folder);
      const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
      if (inWorkspace) return vscode.commands.executeCommand('revealInExplorer', uri);
      const choice = await vscode.window.showInformationMessage(
        `The run's checkout is ${folder}.`,
        'Open in New Window',
        'Add to Workspace',
        'Copy Path',
      );
      if (choice === 'Open in New Window') {
        await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      } else if (choice === 'Add to Workspace') {
        const count = vscode.workspace.workspaceFolders?.length ?? 0;
        vscode.workspace.updateWorkspaceFolders(count, 0, { uri });
      } else if (choice === 'Copy Path') {
        await vscode.env.clipboard.writeText(folder);
      }
    },
  };

  return (Object.keys(handlers) as CommandKey[]).map((key) =>
    vscode.commands.registerCommand(Commands[key], async (...args: unknown[]) => {
      try {
        return await handlers[key](...args);
      } catch (error) {
        log.error(`${Commands[key]} failed: ${error instanceof Error ? error.message : String(error)}`);
        void vscode.window.showErrorMessage(`MergeXO: ${Commands[key]} failed; see the MergeXO log.`);
        return undefined;
      }
    }),
  );
}
