// Item descriptions for the Recent outcomes view: merged and closed work (issue_runs) and failed
// runs (agent_run_history), merged newest first, with a "Load more" item instead of a long list.
import { formatDuration, formatRelative } from '../data/format';
import { parseTimestamp } from '../data/timestamps';
import type { RunHistoryRow, TerminalOutcome } from '../data/types';
import type { WorkTarget } from '../host/session';
import { contextValue, type ItemModel } from './modelItems';
import { escapeMarkdown, field, lines, markdownCodeBlock, plainLine } from './modelText';

export const LOAD_MORE_COMMAND = 'mergexo.loadMoreOutcomes';

export type OutcomeEntry =
  | { kind: 'outcome'; at: string; row: TerminalOutcome }
  | { kind: 'failedRun'; at: string; row: RunHistoryRow };

function instant(text: string | null): number {
  return parseTimestamp(text) ?? Number.NEGATIVE_INFINITY;
}

/** Both sources in one list, newest first; ties keep a fixed order so ids never shuffle. */
export function mergeOutcomes(outcomes: TerminalOutcome[], failed: RunHistoryRow[]): OutcomeEntry[] {
  const entries: OutcomeEntry[] = [
    ...outcomes.map((row) => ({ kind: 'outcome' as const, at: row.updated_at, row })),
    ...failed.map((row) => ({ kind: 'failedRun' as const, at: row.finished_at ?? row.started_at, row })),
  ];
  return entries.sort((a, b) => instant(b.at) - instant(a.at) || entryId(a).localeCompare(entryId(b)));
}

export function entryId(entry: OutcomeEntry): string {
  return entry.kind === 'outcome'
    ? `outcomes/issue/${entry.row.repo_full_name}#${String(entry.row.issue_number)}`
    : `outcomes/run/${entry.row.repo_full_name}#${String(entry.row.issue_number)}/${entry.row.run_id}`;
}

export interface OutcomeModelOptions {
  nowMs: number;
  /** How many entries to show; the rest is behind "Load more". */
  shown: number;
  /** How many more a click on "Load more" adds. */
  pageSize: number;
}

/**
 * `outcomes` and `failed` must each hold at least `shown + 1` rows when that many exist (the top
 * `shown` of the union are always among the top `shown` of each source), so "Load more" appears
 * exactly when something is left.
 */
export function outcomeItems(
  outcomes: TerminalOutcome[],
  failed: RunHistoryRow[],
  options: OutcomeModelOptions,
): ItemModel[] {
  const entries = mergeOutcomes(outcomes, failed);
  const multiRepo = new Set(entries.map((entry) => entry.row.repo_full_name)).size > 1;
  const items = entries.slice(0, options.shown).map((entry) => outcomeItem(entry, options.nowMs, multiRepo));
  if (entries.length > options.shown) items.push(loadMoreItem(options.pageSize));
  return items;
}

export function loadMoreItem(pageSize: number): ItemModel {
  return {
    id: 'outcomes/load-more',
    kind: 'loadMore',
    label: 'Load more…',
    description: `${pageSize} more`,
    icon: { id: 'ellipsis' },
    contextValue: 'mergexo:loadMore',
    collapsible: 'none',
    command: { id: LOAD_MORE_COMMAND, title: 'Load more' },
    accessibilityLabel: `Load ${pageSize} more outcomes`,
  };
}

export function outcomeItem(entry: OutcomeEntry, nowMs: number, multiRepo: boolean): ItemModel {
  const repoSuffix = multiRepo ? [plainLine(entry.row.repo_full_name, 60)] : [];
  const when = formatRelative(entry.at, nowMs);
  if (entry.kind === 'outcome') {
    const row = entry.row;
    const target: WorkTarget = { repo: row.repo_full_name, issue: Number(row.issue_number) };
    if (row.pr_number != null) target.pr = Number(row.pr_number);
    if (row.branch) target.branch = row.branch;
    const merged = row.status === 'merged';
    const description = [
      ...(row.pr_number != null ? [`PR #${String(row.pr_number)}`] : []),
      when,
      ...repoSuffix,
    ].join(' · ');
    return {
      id: entryId(entry),
      kind: 'outcome',
      label: `#${String(row.issue_number)} ${plainLine(row.status, 30)}`,
      description,
      tooltip: lines([
        `**${escapeMarkdown(row.repo_full_name)} issue \\#${String(row.issue_number)}**`,
        field('Outcome', row.status),
        field('PR', row.pr_number == null ? null : `#${String(row.pr_number)}`),
        field('Branch', row.branch),
        field('Updated', `${row.updated_at} (${when})`),
      ]),
      icon: merged ? { id: 'git-merge', color: 'charts.purple' } : { id: 'circle-slash' },
      contextValue: contextValue('outcome', {
        hasIssue: true,
        hasPr: row.pr_number != null,
        hasBranch: Boolean(row.branch),
      }),
      target,
      accessibilityLabel: `Issue ${String(row.issue_number)} ${plainLine(row.status, 30)}, ${description}`,
      collapsible: 'none',
    };
  }
  const run = entry.row;
  const target: WorkTarget = { repo: run.repo_full_name, issue: Number(run.issue_number), runId: run.run_id };
  if (run.pr_number != null) target.pr = Number(run.pr_number);
  if (run.branch) target.branch = run.branch;
  const description = [
    plainLine(run.flow ?? run.run_kind, 30),
    ...(run.failure_class ? [plainLine(run.failure_class, 30)] : []),
    when,
    ...repoSuffix,
  ].join(' · ');
  const error = run.error ?? '';
  return {
    id: entryId(entry),
    kind: 'failedRun',
    label: `#${String(run.issue_number)} failed`,
    description,
    tooltip:
      lines([
        `**${escapeMarkdown(run.repo_full_name)} issue \\#${String(run.issue_number)}: run failed**`,
        field('Run kind', run.run_kind),
        field('Flow', run.flow),
        field('Failure class', run.failure_class),
        field('PR', run.pr_number == null ? null : `#${String(run.pr_number)}`),
        field('Branch', run.branch),
        field('Started', run.started_at),
        field('Finished', run.finished_at ? `${run.finished_at} (${when})` : null),
        field('Duration', run.duration_seconds == null ? null : formatDuration(run.duration_seconds)),
        field('Run id', run.run_id),
      ]) + (error ? `\n\n**Error:**\n\n${markdownCodeBlock(error.slice(0, 2000))}` : ''),
    icon: { id: 'error', color: 'errorForeground' },
    contextValue: contextValue('run', {
      hasIssue: true,
      hasPr: run.pr_number != null,
      hasBranch: Boolean(run.branch),
      hasRun: true,
    }),
    target,
    accessibilityLabel: `Issue ${String(run.issue_number)} run failed, ${description}`,
    collapsible: 'none',
  };
}
