// Command handlers. The table is typed by `Commands`, so every id gets a handler, and a test checks
// the same ids against package.json.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { Log } from '../log';
import { Messages } from '../messages';
import { plainLine } from '../views/modelText';
import type { SidebarViews } from '../views';
import { Commands, type CommandKey } from './commandIds';
import type { DashboardStore } from './dashboard';
import type { MergexoSession } from './dataSession';
import { gitHubUrl, type GitHubLinkKind } from './github';
import { repositoryEntries, windowEntries, type PickEntry } from './scope';
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

/** A quick-pick item for a pure pick entry; names from the database are made display-safe here. */
function quickPickItem<Choice>(
  entry: PickEntry<Choice>,
): vscode.QuickPickItem & { entry: PickEntry<Choice> } {
  return {
    label: plainLine(entry.label, 200),
    ...(entry.description ? { description: plainLine(entry.description, 200) } : {}),
    ...(entry.detail ? { detail: entry.detail } : {}),
    ...(entry.picked ? { picked: true } : {}),
    entry,
  };
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
        label: plainLine(
          candidate.configPath ? basename(dirname(candidate.configPath)) : basename(candidate.baseDir),
          200,
        ),
        description: plainLine(candidate.dbPath, 500),
        detail:
          candidate.source === 'config'
            ? plainLine(`from ${candidate.configPath}`, 500)
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

    // Both picks are kept for this workspace only (workspaceState), never written to settings.json.
    selectRepository: async () => {
      const repos = session.withDatabase((db) => db.queries.repositories()) ?? [];
      const entries = repositoryEntries(repos, session.repositoryScope(), session.repositoryScope(true));
      const choice = await vscode.window.showQuickPick(entries.map(quickPickItem), {
        placeHolder: Messages.selectRepositoryPlaceholder,
      });
      if (!choice) return;
      const picked = choice.entry.choice;
      await session.pickRepository(picked.kind === 'useSetting' ? undefined : picked.repo);
    },

    selectMetricsWindow: async () => {
      const entries = windowEntries(session.windowScope(), session.windowScope(true));
      const choice = await vscode.window.showQuickPick(entries.map(quickPickItem), {
        placeHolder: Messages.selectWindowPlaceholder,
      });
      if (!choice) return;
      const picked = choice.entry.choice;
      await session.pickWindow(picked.kind === 'useSetting' ? undefined : picked.window);
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
        `The run's checkout is ${plainLine(folder, 500)}.`,
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
