// The four sidebar views. Each build reads the shared dashboard (or, for Recent outcomes and
// Roadmaps, its own queries) and turns rows into item models; providers only render them.
import * as vscode from 'vscode';
import type { DashboardStore } from '../host/dashboard';
import { Views } from '../host/commandIds';
import type { MergexoSession } from '../host/dataSession';
import { findWorktree } from '../host/worktree';
import type { Log } from '../log';
import type { Figure, RunHistoryRow, TerminalOutcome } from '../data/types';
import { Messages } from '../messages';
import { agentItems, trackedItems } from './model';
import { outcomeItems } from './modelOutcomes';
import { roadmapItems } from './modelRoadmaps';
import { unavailableContent, viewDescriptions } from './modelState';
import { staleText } from './modelStatus';
import { ModelTreeProvider, type TreeNode, type ViewContent } from './treeProvider';

/** How often "… ago" texts are re-rendered while their view is visible. */
const RELATIVE_TIME_TICK_MS = 15_000;

export interface ViewSettings {
  outcomesPageSize(): number;
}

export interface SidebarViews extends vscode.Disposable {
  agents: ModelTreeProvider;
  tracked: ModelTreeProvider;
  outcomes: ModelTreeProvider;
  roadmaps: ModelTreeProvider;
  agentsView: vscode.TreeView<TreeNode>;
  /** "Load more" in Recent outcomes. */
  loadMoreOutcomes(): void;
  /** Everything re-reads (scope or data changed). */
  updateAll(): void;
}

/** Empty, without a message, while no database is open: the welcome content explains (see modelState). */
function unavailable(session: MergexoSession): ViewContent | undefined {
  return unavailableContent(session.state.kind);
}

export function createViews(
  session: MergexoSession,
  store: DashboardStore,
  settings: ViewSettings,
  log: Log,
): SidebarViews {
  const viewLog = log.child('views');
  let outcomesShown = settings.outcomesPageSize();
  let outcomesRead:
    | { key: string; value: { outcomes: Figure<TerminalOutcome[]>; failed: Figure<RunHistoryRow[]> } }
    | undefined;

  const agents = new ModelTreeProvider(
    Views.agents,
    () => {
      const none = unavailable(session);
      if (none) return none;
      const data = store.current();
      if (!data) return { items: [], message: Messages.readFailed('See the MergeXO log.') };
      const figure = data.snapshot.agents;
      if (!figure.ok) return { items: [], message: Messages.figureUnavailable(figure.gap.message) };
      const nowMs = session.now();
      const service = store.serviceVerdict();
      const banner =
        service?.running === 'no' && service.severity === 'warning'
          ? {
              title: Messages.notRunningTitle,
              detail:
                service.orphanedRuns === 1
                  ? '1 run shown as active was left by a stopped service'
                  : `${service.orphanedRuns} runs shown as active were left by a stopped service`,
              explanation: service.message,
            }
          : undefined;
      const items = agentItems(figure.value, {
        nowMs,
        health: (agent) => store.health(agent, nowMs),
        worktree: (agent) => findWorktree(data.worktrees, agent.repo_full_name, agent.branch),
        ...(banner ? { banner } : {}),
      });
      const message = staleMessage(session) ?? (figure.value.length === 0 ? Messages.noAgents : undefined);
      return message ? { items, message } : { items };
    },
    viewLog,
  );

  const tracked = new ModelTreeProvider(
    Views.tracked,
    () => {
      const none = unavailable(session);
      if (none) return none;
      const data = store.current();
      if (!data) return { items: [], message: Messages.readFailed('See the MergeXO log.') };
      const figure = data.snapshot.tracked;
      if (!figure.ok) return { items: [], message: Messages.figureUnavailable(figure.gap.message) };
      const counts = data.snapshot.counts.ok ? data.snapshot.counts.value : undefined;
      const items = trackedItems(figure.value, session.now(), counts);
      const notes = figure.notes.length ? figure.notes.map((note) => note.message).join(' ') : undefined;
      const message = staleMessage(session) ?? (figure.value.length === 0 ? Messages.noTracked : notes);
      return message ? { items, message } : { items };
    },
    viewLog,
  );

  const outcomes = new ModelTreeProvider(
    Views.outcomes,
    () => {
      const none = unavailable(session);
      if (none) return none;
      const shown = outcomesShown;
      // Neither list depends on the clock: a tick re-renders "… ago" from the last read.
      const key = `${session.generation}:${session.repoFilter ?? ''}:${shown}`;
      const read =
        outcomesRead?.key === key
          ? outcomesRead.value
          : session.withDatabase((db) =>
              db.connection.readSnapshot(() => {
                const scope = { repo: session.repoFilter, nowMs: session.now() };
                return {
                  outcomes: db.queries.terminalOutcomes(scope, shown + 1),
                  failed: db.queries.failedRuns(scope, shown + 1),
                };
              }),
            );
      outcomesRead = read ? { key, value: read } : undefined;
      if (!read) return { items: [], message: Messages.readFailed('See the MergeXO log.') };
      const gaps = [read.outcomes, read.failed].flatMap((figure) => (figure.ok ? [] : [figure.gap.message]));
      const items = outcomeItems(
        read.outcomes.ok ? read.outcomes.value : [],
        read.failed.ok ? read.failed.value : [],
        { nowMs: session.now(), shown, pageSize: settings.outcomesPageSize() },
      );
      if (gaps.length) return { items, message: Messages.figureUnavailable(gaps.join(' ')) };
      return items.length ? { items } : { items, message: Messages.noOutcomes };
    },
    viewLog,
  );

  const roadmaps = new ModelTreeProvider(
    Views.roadmaps,
    () => {
      const none = unavailable(session);
      if (none) return none;
      const read = session.withDatabase((db) =>
        db.connection.readSnapshot(() => {
          const scope = { repo: session.repoFilter, nowMs: session.now() };
          return {
            counts: db.queries.roadmapLifecycleCounts(scope),
            blockers: db.queries.roadmapBlockerAges(scope, 200),
          };
        }),
      );
      if (!read) return { items: [], message: Messages.readFailed('See the MergeXO log.') };
      if (!read.counts.ok) return { items: [], message: Messages.figureUnavailable(read.counts.gap.message) };
      const blockers = read.blockers.ok ? read.blockers.value : [];
      return { items: roadmapItems(read.counts.value, blockers) };
    },
    viewLog,
  );

  const providers = [agents, tracked, outcomes, roadmaps];
  const treeViews = providers.map((provider) => {
    const view = vscode.window.createTreeView(provider.viewId, {
      treeDataProvider: provider,
      showCollapseAll: provider !== agents,
    });
    provider.attach(view);
    return view;
  });
  const agentsView = treeViews[0]!;

  const describeScope = () => {
    const state = session.state;
    const descriptions = viewDescriptions({
      kind: state.kind,
      ...(state.kind === 'none' ? {} : { path: state.path }),
      repo: session.repoFilter,
      window: session.window,
    });
    treeViews.forEach((view, index) => {
      view.description = index === 0 ? descriptions.agents : descriptions.others;
    });
  };
  describeScope();

  // Clock ticks, only while the view is visible and a database is open: elapsed times in Active
  // Agents every second; "… ago" in Tracked & Blocked and Recent outcomes every 15 s (minutes move).
  const clocks = [
    { provider: agents, view: treeViews[0]!, periodMs: 1000 },
    { provider: tracked, view: treeViews[1]!, periodMs: RELATIVE_TIME_TICK_MS },
    { provider: outcomes, view: treeViews[2]!, periodMs: RELATIVE_TIME_TICK_MS },
  ].map((clock) => ({ ...clock, timer: undefined as ReturnType<typeof setInterval> | undefined }));
  const syncTick = () => {
    for (const clock of clocks) {
      const wanted = clock.view.visible && session.state.kind === 'open';
      if (wanted && !clock.timer) clock.timer = setInterval(() => clock.provider.tick(), clock.periodMs);
      if (!wanted && clock.timer) {
        clearInterval(clock.timer);
        clock.timer = undefined;
      }
    }
  };
  syncTick();

  const updateAll = () => {
    for (const provider of providers) provider.update();
  };
  const subscriptions: vscode.Disposable[] = [
    ...clocks.map((clock) => clock.view.onDidChangeVisibility(syncTick)),
    store.onDidChange(() => {
      describeScope();
      syncTick();
      updateAll();
    }),
    session.onDidChangeScope(() => {
      // Another repository starts again from one page (this may run after the store's update).
      outcomesShown = settings.outcomesPageSize();
      outcomes.update();
    }),
  ];
  viewLog.debug(`Views ready (outcomes page size ${outcomesShown}).`);

  return {
    agents,
    tracked,
    outcomes,
    roadmaps,
    agentsView,
    loadMoreOutcomes() {
      outcomesShown += settings.outcomesPageSize();
      outcomes.update();
    },
    updateAll,
    dispose() {
      for (const clock of clocks) if (clock.timer) clearInterval(clock.timer);
      for (const subscription of subscriptions) subscription.dispose();
      for (const view of treeViews) view.dispose();
      for (const provider of providers) provider.dispose();
    },
  };
}

/** The views keep showing the last read while another process locks the file, and say so. */
function staleMessage(session: MergexoSession): string | undefined {
  const since = session.staleSince;
  return since === undefined ? undefined : staleText(new Date(since).toLocaleTimeString());
}
